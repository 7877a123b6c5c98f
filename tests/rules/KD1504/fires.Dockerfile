# expect: 3,4
FROM debian:bookworm
RUN useradd -u 123456 -m app
RUN groupadd -g 2000000 app2 && useradd --uid=2000000 -g app2 app2
