FROM golang:1.22 AS build
RUN go build -o /app .
FROM golang:1.22
RUN go install golang.org/x/tools/gopls@v0.16.0 && go clean -cache -modcache
RUN (export GOCACHE=/tmp/gc GOPATH=/tmp/gp; go build -o /usr/local/bin/x .); rm -rf /tmp/gc /tmp/gp
RUN --mount=type=cache,target=/root/.cache/go-build --mount=type=cache,target=/go/pkg/mod go build -o /y .
RUN go version
