FROM @BASE@
RUN ["/bin/sh", "-c", "echo exec form > /exec"]
RUN ["touch", "/touched"]
