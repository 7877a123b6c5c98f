# no slim sibling: Alpine, when nothing needs apt, dpkg or bash
FROM golang:1.22
COPY . /src
CMD ["go", "version"]
