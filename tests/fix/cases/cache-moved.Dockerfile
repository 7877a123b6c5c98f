FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl
COPY app /app
# clean up the lists
RUN rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN npm ci
USER node
RUN echo built
USER root
RUN make && rm -rf /root/.npm /tmp/build
