FROM @BASE@
COPY --chown=bob:bob dir /owned/
COPY --chown=bob a.txt /owned-a
