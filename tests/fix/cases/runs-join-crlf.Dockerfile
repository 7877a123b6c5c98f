FROM debian:bookworm-slim
# CRLF line ends stay CRLF
RUN apt-get update

RUN apt-get install -y curl \
    && rm -rf /var/lib/apt/lists/*
RUN cd /tmp && touch x
RUN echo done
