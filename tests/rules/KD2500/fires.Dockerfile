# expect: 3,4
FROM debian:bookworm
RUN apt-get update && apt-get install --no-install-recommends curl=7.88.1-10+deb12u7
RUN apt-get -q remove vim
