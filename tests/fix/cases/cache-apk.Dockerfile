FROM alpine:3.19
RUN apk add curl
RUN apk upgrade && apk add --virtual .build-deps gcc musl-dev
# apk update has no --no-cache: its index goes
RUN apk update && apk add git && git --version
