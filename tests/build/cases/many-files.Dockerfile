FROM @BASE@
RUN mkdir /many && i=0 && while [ $i -lt 300 ]; do echo $i > /many/f$i; i=$((i+1)); done
RUN rm /many/f1* && chmod 600 /many/f2*
