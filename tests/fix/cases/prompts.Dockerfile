FROM debian:bookworm-slim AS deb
RUN apt-get update && apt-get install --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
FROM centos:7 AS yum
RUN yum install jq-1.6 && yum clean all
FROM fedora:40 AS dnf
RUN dnf install git-2.45.0 && dnf clean all
FROM opensuse/leap:15.6
COPY --from=deb /etc/os-release /deb
COPY --from=yum /etc/os-release /yum
COPY --from=dnf /etc/os-release /dnf
RUN zypper install curl-8.0 && zypper clean --all
