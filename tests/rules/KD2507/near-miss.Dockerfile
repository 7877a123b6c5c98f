FROM node:20-slim
RUN npm install -g typescript@5.4.5 @angular/cli@17.3.0 && npm cache clean --force
RUN npm ci && npm cache clean --force
RUN npm install && npm cache clean --force
RUN npm install ./local-pkg git+https://github.com/a/b.git#v1.0 && npm cache clean --force
