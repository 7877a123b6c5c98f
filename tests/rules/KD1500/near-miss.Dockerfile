FROM debian:bookworm
RUN apt-get update
ENV A=1
RUN cd /src
RUN make
LABEL step=export
RUN export PATH=/opt/bin:$PATH
RUN tool
LABEL step=flags
RUN --network=none make test
RUN make install
LABEL step=exec-form
RUN ["make", "check"]
RUN make dist
LABEL step=heredoc
RUN <<EOF
make a
EOF
RUN make b
LABEL step=job
RUN mysqld & sleep 5
RUN mysql -e 'select 1'
LABEL step=set
RUN set -e; a
RUN b
LABEL step=assignment
RUN V=1
RUN echo "$V"
LABEL step=function
RUN f() { echo hi; }
RUN f
LABEL step=exit
RUN test -f /x || exit 0
RUN make
