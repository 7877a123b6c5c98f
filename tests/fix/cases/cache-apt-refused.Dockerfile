FROM debian:bookworm-slim
# a later RUN installs without an update of its own: the lists must stay
RUN apt-get update
RUN apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
# the exec form is left to KD1500, which turns it into the shell form
RUN ["apt-get", "update"]
ENV A=1
# a job in the background
RUN apt-get update & wait
