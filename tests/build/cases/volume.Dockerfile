FROM @BASE@
VOLUME /data
VOLUME ["/logs", "/cache"]
