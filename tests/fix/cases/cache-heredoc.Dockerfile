# syntax=docker/dockerfile:1
FROM debian:bookworm-slim
# the heredoc is the script: the removal goes into it, after the last apt-get
RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends curl
curl --version
EOF
RUN <<-EOT bash
	apt-get update && apt-get install -y --no-install-recommends git
	EOT
# a heredoc of data is left alone
RUN cat <<EOF > /etc/apt/apt.conf.d/99local && apt-get update && apt-get install -y --no-install-recommends jq
APT::Get::Assume-Yes "true";
EOF
