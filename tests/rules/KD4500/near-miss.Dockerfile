FROM debian:bookworm
RUN (cd /usr/src/app && make)
RUN cd "$(mktemp -d)" && curl -fsSLO https://example.com/x.tgz
RUN cd .. && ls
RUN cd - >/dev/null
RUN sh -c 'cd /tmp && make'
