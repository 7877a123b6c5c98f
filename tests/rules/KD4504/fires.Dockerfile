# expect: 3
FROM debian:bookworm
RUN apt update && apt install -y --no-install-recommends curl=7.88.1-10+deb12u7 && rm -rf /var/lib/apt/lists/*
