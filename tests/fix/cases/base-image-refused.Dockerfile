# the slim variant has no compiler: refused
FROM python:3.12
RUN pip install --no-cache-dir flask==3.0.0 && gcc --version
CMD ["flask", "run"]
