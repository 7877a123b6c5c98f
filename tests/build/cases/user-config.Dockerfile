FROM @BASE@
USER bob:bob
