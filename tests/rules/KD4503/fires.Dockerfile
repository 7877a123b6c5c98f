# expect: 3,4
FROM debian:bookworm
RUN service nginx start
RUN ps aux
