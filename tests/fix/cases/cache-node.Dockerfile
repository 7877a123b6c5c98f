FROM node:20-slim
WORKDIR /app
RUN npm ci && npm run build
ENV A=1
RUN yarn install --frozen-lockfile
ENV B=1
RUN pnpm install --frozen-lockfile
ENV C=1
# as the user that filled it
RUN su node -c "npm install --omit=dev" && echo installed
