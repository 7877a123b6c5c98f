FROM python:3.12-slim
RUN pip install flask==3.0.0 && npm ci
COPY . /app
RUN rm -rf /root/.cache/pip \
    # build files too
    /tmp/build && echo done
RUN npm cache clean --force && make
