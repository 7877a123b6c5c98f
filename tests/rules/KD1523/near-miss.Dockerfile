FROM continuumio/miniconda3:24.5.0-0
RUN conda install -y numpy=1.26.4 && conda clean --all --yes
RUN conda env create -f environment.yml && conda clean -afy
RUN conda list
