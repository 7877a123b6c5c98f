FROM @BASE@ AS parent
ONBUILD RUN echo triggered > /onbuild-ran
ONBUILD ENV FROM_TRIGGER=yes

FROM parent
RUN test -f /onbuild-ran
