FROM debian:bookworm-slim
RUN echo one;
RUN echo two ;  
RUN find /tmp -name '*.tmp' -exec rm {} \;
RUN echo last;
