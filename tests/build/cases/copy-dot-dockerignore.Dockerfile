FROM @BASE@
COPY . /ctx/
