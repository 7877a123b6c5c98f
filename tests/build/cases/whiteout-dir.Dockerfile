FROM @BASE@
RUN mkdir -p /x/y && echo 1 > /x/y/f && echo 2 > /x/keep
RUN rm -rf /x/y
