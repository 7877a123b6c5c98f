FROM debian:bookworm-slim
RUN ["apt-get", "update"]
RUN ["/bin/sh", "-c", "apt-get install -y curl && rm -rf /var/lib/apt/lists/*"]
RUN ["/usr/bin/env", "it's", "$HOME", "a b", "", "x=y"]
RUN ["sh", "-c", "cd /tmp; ls"]
RUN ["touch", "/done"]
