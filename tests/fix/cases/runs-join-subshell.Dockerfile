FROM debian:bookworm-slim
RUN cd /tmp && touch a
RUN export PATH=/opt/bin:$PATH && tool --version
RUN umask 077 && touch /secret
RUN trap 'rm -f /tmp/lock' EXIT; touch /tmp/lock
RUN test -f /etc/os-release || exit 0
RUN VERSION=1.2 && echo "$VERSION" > /version
RUN greet() { echo hi; }; greet
RUN alias ll='ls -l'
RUN set -x && ls /
RUN for f in a b; do touch "/$f"; done
RUN . /etc/os-release && echo "$ID" > /id
RUN echo last
