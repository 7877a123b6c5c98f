FROM centos:7
RUN yum install -y httpd-2.4.6 python3-devel-3.6.8 && yum clean all
RUN yum install -y https://example.com/pkg.rpm @development && yum clean all
