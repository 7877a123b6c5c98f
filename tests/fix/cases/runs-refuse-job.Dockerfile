FROM debian:bookworm-slim
RUN mysqld & sleep 5
RUN mysql -e 'select 1'
RUN service postgresql start && psql -c 'create database app'
RUN psql -l
RUN nginx -t
RUN echo nginx -t only tests the configuration
