FROM composer:2 AS php
RUN composer install --no-dev
FROM php AS conda
RUN conda install -y numpy=1.26.4
FROM conda AS go
WORKDIR /src
RUN go build -o /out/app .
FROM go AS run
# the go tool runs again at start: its caches stay
RUN go mod download
CMD ["go", "run", "."]
