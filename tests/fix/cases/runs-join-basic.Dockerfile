FROM debian:bookworm-slim
# packages
RUN apt-get update
# curl for the health check

RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN useradd -m app
    RUN   mkdir -p /app    
WORKDIR /app
