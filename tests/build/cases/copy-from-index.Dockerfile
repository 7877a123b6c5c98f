FROM @BASE@
RUN echo stage zero > /zero

FROM @BASE@
COPY --from=0 /zero /copied-zero
