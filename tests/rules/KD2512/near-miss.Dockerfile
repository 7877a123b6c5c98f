FROM golang:1.22 AS build
RUN go install golang.org/x/tools/gopls@v0.16.0
RUN go install ./cmd/...
RUN go run . --port 80
RUN go get
RUN go run main.go extra args
RUN go run github.com/a/tool@v1.2.3 unpinned/looking/arg
