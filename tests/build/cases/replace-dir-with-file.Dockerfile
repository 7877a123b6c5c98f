FROM @BASE@
RUN mkdir -p /thing/inner && echo x > /thing/inner/f
RUN rm -rf /thing && echo now a file > /thing
