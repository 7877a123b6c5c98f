# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS build
RUN echo this stage runs cmd
RUN echo and is not joined

FROM debian:bookworm-slim
RUN apt-get update && `
    apt-get install -y curl && rm -rf /var/lib/apt/lists/*
RUN cd /tmp && touch x
RUN echo done
