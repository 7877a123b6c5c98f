# syntax=docker/dockerfile:1
FROM debian:bookworm-slim
RUN echo before
RUN <<EOF
apt-get update
apt-get install -y curl
EOF
RUN echo after
RUN cat <<EOT > /etc/motd
hello
EOT
RUN echo last
