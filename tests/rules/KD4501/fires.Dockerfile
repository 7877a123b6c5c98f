# expect: 4
FROM debian:bookworm
RUN curl -fsSLO https://example.com/a.tgz
RUN wget -q https://example.com/b.tgz
