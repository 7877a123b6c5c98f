# expect: 3
FROM debian:bookworm
RUN wget https://example.com/big.iso
