FROM @BASE@
SHELL ["/bin/sh", "-ec"]
RUN echo "shell is $0" > /shell
CMD echo in the shell form
