FROM @BASE@
USER 1234:5678
RUN touch /tmp/numeric
