# expect: 3
FROM centos:7
RUN yum install -y httpd python3-devel && yum clean all
