FROM fedora:40
RUN dnf install -y nginx-1.24.0 && dnf clean all
RUN microdnf install jq-1.7.1 && microdnf clean all
RUN dnf --assumeyes remove vim
