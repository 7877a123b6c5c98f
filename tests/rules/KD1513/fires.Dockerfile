# expect: 3,4
FROM fedora:40
RUN dnf install -y nginx-1.24.0
RUN microdnf install -y jq-1.7.1
