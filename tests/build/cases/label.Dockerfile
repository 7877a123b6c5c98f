FROM @BASE@
LABEL org.example.name="kdoctor test" version=1
LABEL multi.a=a multi.b="b b" \
      multi.c=c
