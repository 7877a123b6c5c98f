FROM debian:bookworm
RUN set -o pipefail && curl -fsSL https://example.com/install.sh | sh
RUN set -euxo pipefail; wget -qO- https://example.com/a.tgz | tar xz -C /opt
RUN echo "deb http://deb.debian.org/debian bookworm main" | tee /etc/apt/sources.list.d/x.list
RUN if curl -fsSL https://example.com/ | grep -q ok; then echo ok; fi
RUN bash -c 'curl -fsSL https://example.com/x | sh'
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -fsSL https://example.com/install.sh | bash
