FROM @BASE@
COPY a.txt b.txt c.md /multi/
