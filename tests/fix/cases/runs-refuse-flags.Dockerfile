FROM debian:bookworm-slim
RUN --mount=type=cache,target=/var/cache/apt apt-get update
RUN apt-get install -y curl
RUN --network=none make test
RUN --network=none make check
