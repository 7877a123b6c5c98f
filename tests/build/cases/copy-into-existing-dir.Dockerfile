FROM @BASE@
RUN mkdir -p /existing && echo old > /existing/old
COPY dir /existing
