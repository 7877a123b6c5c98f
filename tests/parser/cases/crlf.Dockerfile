FROM alpine
RUN apk add \
    curl

CMD ["sh"]
