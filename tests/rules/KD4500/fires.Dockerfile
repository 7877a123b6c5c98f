# expect: 3,4
FROM debian:bookworm
RUN cd /usr/src/app && make
RUN mkdir -p /opt/x && cd /opt/x
