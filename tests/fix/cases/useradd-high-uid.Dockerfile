FROM debian:bookworm-slim
RUN useradd -u 123456 app && useradd --uid 200000 -m other
RUN useradd -u 1000 small
