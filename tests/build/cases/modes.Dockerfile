FROM @BASE@
RUN mkdir -m 0700 /private && touch /suid && chmod 4755 /suid && mkdir -m 1777 /sticky && chown 12:34 /suid
