# expect: 3,4
FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends curl git=1:2.39.2-1.1 && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -y -t bookworm-backports --no-install-recommends golang && rm -rf /var/lib/apt/lists/*
