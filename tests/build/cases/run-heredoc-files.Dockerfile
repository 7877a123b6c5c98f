FROM @BASE@
RUN <<A cat > /one && <<B cat > /two
first file
A
second file
B
