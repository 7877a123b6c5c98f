FROM node:20-slim
# one file: a numeric mode is exact
COPY entrypoint.sh /entrypoint.sh
RUN chmod 755 /entrypoint.sh
WORKDIR /app
# an owner is exact when the file's folder exists (WORKDIR made it)
COPY entrypoint.sh ./start.sh
RUN chown node:node /app/start.sh && echo ready
# a folder: unsafe (the folder itself, if it existed, keeps its owner)
COPY src /srv/src
RUN chown -R node:node /srv/src
# refused: the owner's group would change
COPY entrypoint.sh /usr/local/bin/one.sh
RUN chown node /usr/local/bin/one.sh
# refused: a symbolic mode
COPY entrypoint.sh /two.sh
RUN chmod +x /two.sh
# refused: the COPY already has another owner
COPY --chown=1000:1000 entrypoint.sh /four.sh
RUN chown node:node /four.sh
# refused: the stage wrote into /app before the COPY (npm ci)
COPY package.json .
RUN npm ci
COPY . .
RUN chown -R node:node /app
USER node
# refused: the RUN does not run as root
COPY entrypoint.sh /five.sh
RUN chmod 700 /five.sh
