FROM @BASE@
COPY --chown=1234:5678 a.txt b.txt /numeric/
