FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends vim=2:9.0.1378-2 procps=2:4.0.2-3 && rm -rf /var/lib/apt/lists/*
RUN mysqld & pid=$!; sleep 5; mysql -e 'select 1'; kill $pid
RUN echo ssh
