# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command"]
RUN New-Item -ItemType Directory C:\app ; `
    Set-Location C:\app
ENV APP_HOME=C:\app PATH="C:\a b;${PATH}"
COPY --chown=`"x`" a b
WORKDIR C:\app
