FROM opensuse/leap:15.6
RUN zypper --non-interactive install curl=8.6.0 && zypper clean --all
RUN zypper -n in git=2.43.0 && zypper clean --all
RUN zypper install -y jq=1.6 && zypper clean --all
RUN zypper refresh
