# expect: 3,4,5
FROM python:3.12-slim
RUN pip install flask==3.0.0
RUN python3 -m pip install django==5.0
RUN PIP_NO_CACHE_DIR=0 pip3 install requests==2.32.3
