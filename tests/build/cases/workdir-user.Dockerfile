FROM @BASE@
USER bob
WORKDIR /home/bob/project
RUN touch made-by-bob
