FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u7 && rm -rf /var/lib/apt/lists/*
RUN apt-cache policy curl
RUN echo apt install
