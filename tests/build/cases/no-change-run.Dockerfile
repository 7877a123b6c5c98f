FROM @BASE@
RUN true
RUN echo changed > /changed
RUN ls / > /dev/null
