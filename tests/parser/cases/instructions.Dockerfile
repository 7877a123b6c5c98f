ARG BASE=alpine:3.19
FROM ${BASE} AS base
MAINTAINER Jane Doe <jane@example.com>
LABEL org.opencontainers.image.title="demo app" version=1.0
ENV PATH=/opt/bin:$PATH
ENV LANG C.UTF-8
ARG USER=app UID
USER ${USER}:${USER}
WORKDIR /srv/app
EXPOSE 80/tcp 443
VOLUME ["/data", "/logs"]
VOLUME /cache /tmp/x
STOPSIGNAL SIGTERM
HEALTHCHECK NONE
ENTRYPOINT ["/sbin/tini", "--"]
CMD ["serve"]
ONBUILD ONBUILD RUN echo deep
onbuild add . /app
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN
CMD []
