FROM alpine:3.20
RUN apk add --no-cache curl=8.9.1-r0 git~2.45
RUN apk add --no-cache --virtual .build-deps gcc=13.2.1-r0
RUN apk add --no-cache -X https://dl-cdn.alpinelinux.org/alpine/edge/testing foo=1.0-r0
RUN apk add --no-cache /tmp/local.apk
