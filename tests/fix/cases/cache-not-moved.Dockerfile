# When the removal cannot move, the earlier RUN gets its own removal (as
# KD1510-KD1523 add it) and the later one stays.
FROM node:20-slim AS node
RUN npm ci
# a different user in between
USER node
RUN echo hi
USER root
RUN rm -rf /root/.npm
RUN yarn install
# the removal expands a variable
RUN rm -rf "$YARN_CACHE_FOLDER" /usr/local/share/.cache/yarn
FROM node
RUN apt-get update && apt-get install -y --no-install-recommends curl
# another RUN fills the lists before the removal: moving it to the first RUN
# would unhide the second RUN's lists; it moves to the second RUN
RUN apt-get update && apt-get install -y --no-install-recommends git
COPY . /app
RUN rm -rf /var/lib/apt/lists/*
# the later RUN uses the lists before it removes them
RUN apt-get update
RUN apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*
