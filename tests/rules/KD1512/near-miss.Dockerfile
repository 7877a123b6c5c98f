FROM centos:7
RUN yum install -y httpd-2.4.6 && yum clean all
RUN yum install -y git-1.8.3.1 && rm -rf /var/cache/yum
RUN yum makecache fast && yum -y install jq-1.6 && yum clean all
