FROM python:3.12-slim
RUN pip install flask==3.0.0
RUN python3 -m pip install -r requirements.txt
RUN pip3.12 install --user gunicorn==22.0.0
RUN sh -c "pip install uvicorn==0.30.0"
ENV A=1
# already without a cache
RUN pip install --no-cache-dir requests==2.32.0
RUN PIP_NO_CACHE_DIR=1 pip install click==8.1.7
