FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -y -o APT::Install-Recommends=false git && rm -rf /var/lib/apt/lists/*
FROM ubuntu:24.04
RUN echo 'APT::Install-Recommends "false";' > /etc/apt/apt.conf.d/00norecommends
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
