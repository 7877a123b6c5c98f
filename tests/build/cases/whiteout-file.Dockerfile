FROM @BASE@
RUN rm /etc/group && rm /bin/vi
