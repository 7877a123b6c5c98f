FROM @BASE@
ADD app.tar.gz /opt/app/
