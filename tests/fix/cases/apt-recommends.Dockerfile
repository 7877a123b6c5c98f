FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
# a deliberate choice is left alone
RUN apt-get update && apt-get install -y --install-recommends git && rm -rf /var/lib/apt/lists/*
