# expect: 3,4
FROM node:20-slim
RUN npm install -g typescript && npm cache clean --force
RUN npm i -g @angular/cli npm@latest && npm cache clean --force
