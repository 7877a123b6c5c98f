FROM --platform=$TARGETPLATFORM alpine:3.19 as build
run echo built > /out
FROM alpine:3.19
COPY --from=build /out /out
EXPOSE 80/TCP 443/Tcp
ENV APP_HOME /app
LABEL version 1.0
MAINTAINER someone@example.com
