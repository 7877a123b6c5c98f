FROM @BASE@
RUN echo target > /target && ln -s /target /abs-link && ln -s target /rel-link && ln /target /hard-link
RUN ln -sf /etc/passwd /rel-link && rm /hard-link
