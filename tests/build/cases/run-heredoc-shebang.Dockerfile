FROM @BASE@
RUN <<EOT
#!/bin/sh
echo "from a script" > /script-out
EOT
