FROM debian:bookworm-slim AS base
RUN apt-get update && apt-get install -y --no-install-recommends curl

FROM base AS app
# after the last apt command, not at the end of the RUN
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && git --version
# the rest of a pipeline, then the rest of the list
RUN apt-get update && apt-get install -y --no-install-recommends make | tee /install.log; make --version
# out of a branch that does not hold the update
RUN apt-get update && if [ -n "$DEV" ]; then apt-get install -y --no-install-recommends gdb; fi
# inside the subshell that holds both
RUN (apt-get update && apt-get install -y --no-install-recommends jq) && jq --version
# inside sh -c
RUN sh -c 'apt-get update && apt-get install -y --no-install-recommends zip'
# as the same user
RUN sudo apt-get update && sudo apt-get install -y --no-install-recommends unzip
# right after the command: a shell comment swallows nothing
RUN apt-get update && apt-get install -y --no-install-recommends xz-utils # tools
