# expect: 3
FROM ruby:3.3-slim
RUN gem install rails bundler:2.5.6 && rm -rf /usr/local/bundle/cache
