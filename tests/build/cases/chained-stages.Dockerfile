FROM @BASE@ AS one
RUN echo one > /one

FROM one AS two
RUN echo two > /two

FROM two
RUN cat /one /two > /both
