FROM debian:bookworm AS build
COPY app.tar.gz /tmp/
RUN tar -xzf /tmp/app.tar.gz -C /opt
FROM debian:bookworm
COPY site.zip /tmp/
RUN unzip /tmp/site.zip -d /srv
COPY backup.tar.gz /srv/
RUN tar -tzf /srv/backup.tar.gz
COPY other.tar.gz /tmp/
RUN tar -xzf /tmp/app.tar.gz
