# expect: 3,4
FROM ruby:3.3-slim
RUN gem install rails:7.1.3
RUN bundle install
