FROM @BASE@
COPY *.txt /globbed/
COPY dir/*.txt dir/sub/*.txt /globbed2/
