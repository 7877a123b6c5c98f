# expect: 3,4
FROM node:20-slim
RUN yarn install --frozen-lockfile
RUN yarn
