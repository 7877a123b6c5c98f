# expect: 3,4
FROM fedora:40
RUN dnf install -y nginx python3-devel && dnf clean all
RUN microdnf install -y jq && microdnf clean all
