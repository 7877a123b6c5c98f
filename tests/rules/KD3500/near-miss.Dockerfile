FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends sudo=1.9.13p3-1+deb12u1 && rm -rf /var/lib/apt/lists/*
RUN echo 'app ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/app
USER app
