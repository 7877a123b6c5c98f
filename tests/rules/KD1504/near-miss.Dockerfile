FROM debian:bookworm
RUN useradd -l -u 123456 -m app
RUN useradd --no-log-init -u 200000 app2
RUN useradd -u 1000 -m app3
RUN useradd -u "$UID" app4
