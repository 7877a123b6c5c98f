FROM alpine:3.19
ADD app.py /app/
add conf.yml /app/
# archives and URLs stay ADD: it unpacks and fetches them
ADD vendor.tar.gz /opt/
ADD https://example.com/tool /usr/local/bin/tool
