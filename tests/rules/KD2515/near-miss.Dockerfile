FROM opensuse/leap:15.6
RUN zypper -n patch && zypper clean --all
RUN echo zypper dist-upgrade
