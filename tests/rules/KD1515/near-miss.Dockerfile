FROM python:3.12-slim AS build
RUN pip install wheel==0.43.0
FROM python:3.12-slim
RUN pip install --no-cache-dir flask==3.0.0
RUN pip install --no-cache django==5.0
RUN PIP_NO_CACHE_DIR=1 pip install requests==2.32.3
RUN pip install click==8.1.7 && rm -rf /root/.cache/pip
RUN pip install rich==13.7.1 && pip cache purge
RUN --mount=type=cache,target=/root/.cache/pip pip install httpx==0.27.0
ENV PIP_NO_CACHE_DIR=1
RUN pip install numpy==2.0.0
