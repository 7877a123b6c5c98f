FROM opensuse/leap:15.6
RUN zypper -n install curl=8.6.0 'git>=2.43' && zypper clean --all
RUN zypper -n in /tmp/local.rpm && zypper clean --all
