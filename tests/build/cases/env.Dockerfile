FROM @BASE@
ENV A=1 B=two
ENV C="with spaces" D=$A-$B
ENV LEGACY value with words
ENV PATH=/opt/bin:$PATH
