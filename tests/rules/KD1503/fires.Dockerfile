# expect: 3,5
FROM debian:bookworm
COPY app.tar.gz /tmp/
RUN tar -xzf /tmp/app.tar.gz -C /opt && rm /tmp/app.tar.gz
COPY dist/release.tgz /tmp/r.tgz
RUN cd /opt && tar xzf /tmp/r.tgz
