FROM debian:bookworm-slim
RUN echo one
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN echo two | cat
RUN ["/bin/bash", "-o", "pipefail", "-c", "echo three | cat"]

FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command"]
RUN Write-Host one
RUN Write-Host two
