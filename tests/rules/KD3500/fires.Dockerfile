# expect: 4,5
FROM debian:bookworm
USER app
RUN sudo apt-get update
RUN echo ok && sudo -u root -E make install
