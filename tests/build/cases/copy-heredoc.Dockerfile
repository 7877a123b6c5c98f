FROM @BASE@
COPY <<EOF /etc/motd
welcome
EOF
