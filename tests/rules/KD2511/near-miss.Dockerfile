FROM fedora:40
RUN dnf install -y nginx-1.24.0 python3-devel-3.12.3 && dnf clean all
RUN dnf install -y @development-tools /tmp/x.rpm && dnf clean all
RUN dnf module install -y nodejs:20 && dnf clean all
