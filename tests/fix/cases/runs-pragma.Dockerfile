FROM debian:bookworm-slim
RUN echo one
# hadolint ignore=DL3059
RUN echo two
RUN echo three
