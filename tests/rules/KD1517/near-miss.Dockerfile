FROM node:20-slim
RUN yarn install --frozen-lockfile && yarn cache clean
RUN yarn --version
RUN yarn build
RUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install
