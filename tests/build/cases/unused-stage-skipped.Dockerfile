FROM @BASE@ AS broken
RUN exit 1

FROM @BASE@
RUN echo only this stage > /only
