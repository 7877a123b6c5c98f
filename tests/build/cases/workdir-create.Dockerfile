FROM @BASE@
WORKDIR /a/b/c
RUN touch here
WORKDIR ../d
RUN pwd > /pwd
