FROM @BASE@
COPY dir /dest/
COPY dir/sub /sub-contents
