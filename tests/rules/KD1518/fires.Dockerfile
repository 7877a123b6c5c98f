# expect: 3
FROM node:20-slim
RUN pnpm install --frozen-lockfile
