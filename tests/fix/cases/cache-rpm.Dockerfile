FROM fedora:40 AS f
RUN dnf install -y git-2.45.0
RUN microdnf install -y tar && microdnf update -y
FROM f AS c
RUN yum install -y epel-release-7; yum install -y jq-1.6
FROM c
RUN zypper --non-interactive install curl-8.0
