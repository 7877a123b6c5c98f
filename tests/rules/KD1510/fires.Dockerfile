# expect: 3,4,6
FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends curl
RUN apt-get update && apt-get install -y git || rm -rf /var/lib/apt/lists/*
RUN <<EOF
apt-get update
apt-get install -y --no-install-recommends jq
EOF
