FROM @BASE@
RUN echo file > /thing
RUN rm /thing && mkdir -p /thing/sub && echo in dir > /thing/sub/f
