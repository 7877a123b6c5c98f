FROM @BASE@
ADD plain.tar /opt/plain/
