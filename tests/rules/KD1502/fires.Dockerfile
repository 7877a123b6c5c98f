# expect: 3,4,6,8
FROM debian:bookworm
RUN apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get dist-upgrade -y
FROM alpine:3.20
RUN apk upgrade --no-cache
FROM rockylinux:9
RUN dnf -y update && dnf clean all
