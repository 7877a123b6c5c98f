# expect: 4,5
FROM node:20-slim
WORKDIR /app
RUN npm ci
RUN npm install -g typescript@5.4.5
