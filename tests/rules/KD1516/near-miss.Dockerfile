FROM node:20-slim AS build
RUN npm ci && npm run build
FROM node:20-slim
RUN npm ci --omit=dev && npm cache clean --force
RUN --mount=type=cache,target=/root/.npm npm install -g typescript@5.4.5
RUN npm install -g pnpm@9.1.0 && rm -rf ~/.npm
RUN npm run start
