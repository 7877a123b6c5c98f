FROM php:8.3-cli
RUN composer install --no-dev --no-cache
RUN composer install --no-dev && composer clear-cache
RUN composer dump-autoload --optimize
