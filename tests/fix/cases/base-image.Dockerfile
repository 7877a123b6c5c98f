FROM node:20 AS base
WORKDIR /app
FROM base
CMD ["node", "server.js"]
