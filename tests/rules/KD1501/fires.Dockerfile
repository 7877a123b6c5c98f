# expect: 3,6
FROM python:3.12-slim AS base
RUN apt-get update && apt-get install -y --no-install-recommends curl
RUN rm -rf /var/lib/apt/lists/*
FROM base
RUN pip install flask==3.0.0
RUN rm -rf /root/.cache/pip
