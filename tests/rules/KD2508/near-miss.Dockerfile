FROM ruby:3.3-slim
RUN gem install rails:7.1.3 && rm -rf /usr/local/bundle/cache
RUN gem install -v 2.5.6 bundler && rm -rf /usr/local/bundle/cache
RUN gem install ./local.gem && rm -rf /usr/local/bundle/cache
