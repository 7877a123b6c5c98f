# syntax=docker/dockerfile:1
FROM debian:bookworm-slim
RUN echo before
RUN <<EOF
echo one
echo two
EOF
RUN echo after
RUN cat <<EOT > /etc/motd
hello
EOT
RUN echo last
