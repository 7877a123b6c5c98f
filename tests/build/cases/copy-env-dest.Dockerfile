FROM @BASE@
ENV DEST=/from-env
ARG NAME=file
COPY a.txt ${DEST}/${NAME}.txt
