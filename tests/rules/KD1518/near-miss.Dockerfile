FROM node:20-slim
RUN pnpm install --frozen-lockfile && pnpm store prune
RUN --mount=type=cache,id=pnpm,target=/pnpm/store pnpm install --frozen-lockfile
RUN pnpm run build
