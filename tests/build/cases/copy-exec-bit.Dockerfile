FROM @BASE@
COPY exec.sh /usr/local/bin/
RUN /usr/local/bin/exec.sh > /exec-out
