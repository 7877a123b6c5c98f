FROM debian:bookworm-slim
# renames that download nothing are safe
RUN apt update && apt search curl && apt show curl
# apt deletes what it downloads, apt-get keeps it: unsafe
RUN apt install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN apt upgrade -y && rm -rf /var/lib/apt/lists/*
