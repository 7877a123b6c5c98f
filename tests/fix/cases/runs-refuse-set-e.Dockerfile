FROM debian:bookworm-slim
RUN set -e; false; echo never
RUN echo next
RUN echo a && (set -e; false; echo never)
RUN echo b
RUN set -eux; echo one; echo two
RUN set -eux; echo three; echo four
RUN set -eux; echo five
