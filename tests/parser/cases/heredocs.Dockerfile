# syntax=docker/dockerfile:1
FROM debian
RUN <<EOF
apt-get update
apt-get install -y curl
EOF
RUN <<-'SCRIPT' bash
	echo "$HOME"
	SCRIPT
COPY <<one <<two /etc/
1
one
2
two
RUN --mount=type=cache,target=/var/cache/apt <<EOT
  apt-get install -y vim
EOT
RUN python3 <<PY > /out
print("<<not a heredoc")
PY
CMD echo done
