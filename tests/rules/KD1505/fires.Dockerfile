# expect: 3,4
FROM debian:bookworm
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt install -y git && rm -rf /var/lib/apt/lists/*
