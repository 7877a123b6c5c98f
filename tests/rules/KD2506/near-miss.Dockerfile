FROM python:3.12-slim
RUN pip install --no-cache-dir flask==3.0.0 'django>=5,<6' requests~=2.32
RUN pip install --no-cache-dir -r requirements.txt
RUN pip install --no-cache-dir .
RUN pip install --no-cache-dir -e ./lib /tmp/pkg.whl git+https://github.com/a/b.git@v1.2
RUN pip install --no-cache-dir -c constraints.txt flask
