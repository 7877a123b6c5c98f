FROM rockylinux:9
RUN dnf -y update openssl && dnf clean all
RUN yum -y upgrade glibc
FROM alpine:3.20
RUN apk add --no-cache --upgrade curl=8.9.1-r0
FROM debian:bookworm
RUN apt-get install -y --only-upgrade tzdata=2024a-0+deb12u1
RUN echo apt-get upgrade
