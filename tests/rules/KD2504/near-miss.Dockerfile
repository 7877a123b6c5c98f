FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u7 && rm -rf /var/lib/apt/lists/*
RUN apt-get install -y --no-install-recommends golang/bookworm-backports ./local.deb
RUN apt-get install -y --no-install-recommends $PACKAGES
RUN apt-get -o Dpkg::Options::=--force-confold install -y --no-install-recommends git=1:2.39.2-1.1
