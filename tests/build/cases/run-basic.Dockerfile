FROM @BASE@
RUN echo hello > /hello && mkdir -p /srv/data && echo data > /srv/data/file
