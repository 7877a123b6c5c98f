# expect: 3,4,5
FROM alpine:3.20
RUN apk add curl=8.9.1-r0
RUN apk update && apk add --no-cache git=2.45.2-r0
RUN apk add --virtual .deps gcc=13.2.1-r0 && apk del .deps
