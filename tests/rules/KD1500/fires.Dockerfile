# expect: 3,8,10
FROM debian:bookworm
RUN apt-get update
# comments between RUNs do not separate them
RUN apt-get install -y curl
RUN make
WORKDIR /app
RUN --mount=type=cache,target=/root/.cache pip install flask
RUN --mount=type=cache,target=/root/.cache pip install django
RUN set -eux; a
RUN set -eux; b
