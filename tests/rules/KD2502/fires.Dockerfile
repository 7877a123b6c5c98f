# expect: 3
FROM fedora:40
RUN dnf install nginx-1.24.0 && dnf clean all
