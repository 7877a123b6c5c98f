FROM python:3.12-slim AS base
ENV PIP_NO_CACHE_DIR=true
FROM base
RUN pip install flask==3.0.0
RUN export PIP_NO_CACHE_DIR=1 && pip install django==5.0
