# expect: 3,4
FROM continuumio/miniconda3:24.5.0-0
RUN conda install -y numpy=1.26.4
RUN mamba env update -f environment.yml
