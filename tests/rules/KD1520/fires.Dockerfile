# expect: 3
FROM php:8.3-cli
RUN composer install --no-dev
