FROM fedora:40
RUN dnf install -y nginx-1.24.0 && dnf clean all
RUN microdnf install -y jq-1.7.1 && microdnf clean all
RUN dnf install -y git-2.45.2 && rm -rf /var/cache/dnf
