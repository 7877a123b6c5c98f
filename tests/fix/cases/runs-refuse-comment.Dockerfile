FROM debian:bookworm-slim
RUN apt-get update # the lists
RUN apt-get install -y curl
RUN echo one; echo two # a comment
RUN echo end
RUN echo x
RUN echo y # at the end of the joined RUN a comment swallows nothing
