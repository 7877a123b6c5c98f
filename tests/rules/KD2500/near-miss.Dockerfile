FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u7
RUN apt-get -qq install --no-install-recommends git=1:2.39.2-1.1
RUN apt-get --assume-yes remove vim
RUN yes | apt-get install --no-install-recommends jq=1.6-2.1
RUN apt-get -o APT::Get::Assume-Yes=true purge nano
RUN echo 'APT::Get::Assume-Yes "true";' > /etc/apt/apt.conf.d/90yes
RUN apt-get install --no-install-recommends less=590-2.1
RUN apt-get update
