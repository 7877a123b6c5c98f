FROM @BASE@
COPY a.txt /a.txt
COPY b.txt /renamed
