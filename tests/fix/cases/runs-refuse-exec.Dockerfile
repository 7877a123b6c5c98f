FROM debian:bookworm-slim
RUN echo start
RUN ["echo", "echo is also a builtin: the shell would run its own"]
RUN ["printf", "a\nb"]
RUN ["sh", "-c", "echo $0"]
RUN ["sh", "-c", "cat <<EOF"]
RUN ["bash", "-c", "echo bash runs this, not the stage shell"]
RUN echo end
