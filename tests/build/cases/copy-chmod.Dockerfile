FROM @BASE@
COPY --chmod=0755 a.txt /exec-a
COPY --chmod=600 dir /private-dir/
