# expect: 3,4
FROM debian:bookworm
RUN curl -fsSL https://example.com/install.sh | sh
RUN set -e && wget -qO- https://example.com/a.tgz | tar xz -C /opt
