FROM @BASE@
USER bob
RUN touch /tmp/bobs && id -u > /tmp/uid
USER root
RUN cp /tmp/uid /uid
