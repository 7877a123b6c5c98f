FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc
FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN apt-get update \
 && apt-get install -y --no-install-recommends git \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists
RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y --no-install-recommends jq
RUN sh -c 'apt-get update && apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/*'
RUN apt-get update && apt-get install -y --no-install-recommends vim; rm -rf /var/lib/apt/lists/*
RUN apt-get install -y --no-install-recommends less
