FROM ruby:3.3-slim
RUN gem install rails:7.1.3 && rm -rf /usr/local/bundle/cache
RUN bundle install && rm -rf "$GEM_HOME/cache"
RUN bundle --version
RUN bundle exec rake assets:precompile
