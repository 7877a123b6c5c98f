FROM @BASE@
COPY link-to-a /followed
