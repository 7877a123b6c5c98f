FROM debian:bookworm AS a
RUN curl -fsSLO https://example.com/a.tgz
FROM debian:bookworm
RUN wget -q https://example.com/b.tgz
RUN wget -q https://example.com/c.tgz
