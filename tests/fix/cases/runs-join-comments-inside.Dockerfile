FROM alpine:3.19
RUN apk add --no-cache \
    # the compiler
    gcc \
    # and its friends
    musl-dev
  # between the two RUNs
RUN mkdir -p /src \
  # a comment inside the second RUN
  && chmod 755 /src

RUN \
    # the text of this RUN starts below its keyword
    echo later \
    && echo done
