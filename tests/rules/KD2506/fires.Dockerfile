# expect: 3,4
FROM python:3.12-slim
RUN pip install --no-cache-dir flask django==5.0
RUN python3 -m pip install --no-cache-dir -U pip
