FROM @BASE@
WORKDIR /app
COPY a.txt .
COPY b.txt sub/
COPY c.md ./renamed.md
