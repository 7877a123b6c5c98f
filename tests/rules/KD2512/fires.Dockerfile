# expect: 3,4,5
FROM golang:1.22 AS build
RUN go install golang.org/x/tools/gopls
RUN go install github.com/a/b/cmd/c@latest
RUN go run github.com/a/tool@main -flag value
