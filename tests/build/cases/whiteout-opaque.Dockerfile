FROM @BASE@
RUN mkdir /opq && echo old > /opq/old && echo older > /opq/older
RUN rm -rf /opq && mkdir /opq && echo new > /opq/new
