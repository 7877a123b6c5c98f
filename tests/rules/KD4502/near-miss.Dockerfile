FROM debian:bookworm
RUN wget --progress=dot:giga https://example.com/big.iso
RUN wget -q https://example.com/a
RUN wget -nv https://example.com/b
RUN wget -qO- https://example.com/c
RUN wget -o /tmp/log https://example.com/d
