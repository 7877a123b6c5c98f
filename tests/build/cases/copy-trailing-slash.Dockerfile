FROM @BASE@
COPY a.txt /newdir/
COPY b.txt /newfile
