FROM alpine:3.19
RUN apk add --no-cache \
        curl \
        git \
    && git --version
RUN echo one \
    && echo two
RUN echo three
RUN echo four
