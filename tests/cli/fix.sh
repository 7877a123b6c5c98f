#!/bin/sh
# kdoctor lint --fix, --diff, --fix-unsafe and --show-fixes.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
mkdir ctx && cd ctx || exit 1
: >.dockerignore
printf 'FROM alpine:3.19\n# the app\nADD app.py /app/\nADD conf.yml /app/\nCMD ["python3", "/app/app.py"]\n' >Dockerfile
cp Dockerfile orig
chmod 0640 Dockerfile

expect_status "--diff exits 1 when there is a change" 1 "$KDOCTOR" lint --diff Dockerfile
expect_grep "--diff prints a unified diff" out '^-ADD app.py /app/$'
expect_grep "--diff prints the fixed line" out '^\+COPY app.py /app/$'
expect_grep "--diff has git-style headers" out '^\+\+\+ b/Dockerfile$'
if cmp -s Dockerfile orig; then ok "--diff writes nothing"; else not_ok "--diff writes nothing"; fi
if patch -s -p1 --dry-run <"$TMP/out" >/dev/null; then ok "--diff applies with patch -p1"; else
    not_ok "--diff applies with patch -p1"
fi

expect_status "--fix with nothing left exits 0" 0 "$KDOCTOR" lint --fix Dockerfile
if grep -q '^COPY app.py /app/$' Dockerfile && grep -q '^COPY conf.yml /app/$' Dockerfile &&
    grep -q '^# the app$' Dockerfile; then ok "--fix rewrites in place, comments kept"; else
    not_ok "--fix rewrites in place, comments kept" "$(cat Dockerfile)"
fi
if [ "$(stat -c %a Dockerfile)" = 640 ]; then ok "--fix keeps the mode"; else
    not_ok "--fix keeps the mode" "mode $(stat -c %a Dockerfile)"
fi
if [ "$(ls -A | wc -l)" -eq 3 ]; then ok "--fix leaves no temp file"; else not_ok "--fix leaves no temp file" "$(ls -A)"; fi
cp Dockerfile once
expect_status "a second --fix changes nothing" 0 "$KDOCTOR" lint --fix --show-fixes Dockerfile
if cmp -s Dockerfile once; then ok "--fix is idempotent"; else not_ok "--fix is idempotent"; fi
expect_grep "--show-fixes says there was nothing" err "Dockerfile: nothing to fix"
expect_status "--diff after --fix exits 0" 0 "$KDOCTOR" lint --diff Dockerfile
if [ ! -s "$TMP/out" ]; then ok "--diff after --fix is empty"; else not_ok "--diff after --fix is empty"; fi

cp orig Dockerfile
expect_status "--fix --show-fixes" 0 "$KDOCTOR" lint --fix --show-fixes Dockerfile
expect_grep "--show-fixes counts per rule" err '^ +2  KD1101  add-instead-of-copy$'

# standard input: the fixed file on stdout, findings on stderr
run sh -c "\"$KDOCTOR\" lint --fix - <orig"
if [ "$status" -eq 0 ] && grep -q '^COPY conf.yml /app/$' "$TMP/out" && ! grep -q 'KD' "$TMP/out"; then
    ok "--fix of standard input prints the fixed file"
else
    not_ok "--fix of standard input prints the fixed file" "status $status" "$(cat "$TMP/out")"
fi

# bytes_are NAME FILE WANT: FILE's bytes, as od -c shows them without
# blanks, are WANT
bytes_are() {
    if [ "$(od -An -c "$2" | tr -d ' \n')" = "$3" ]; then ok "$1"; else not_ok "$1" "$(od -c "$2")"; fi
}

# CRLF files stay CRLF
printf 'FROM alpine:3.19\r\nADD a /a\r\n' >crlf
run "$KDOCTOR" lint --fix crlf
bytes_are "--fix keeps CRLF line ends" crlf 'FROMalpine:3.19\r\nCOPYa/a\r\n'

expect_status "--fix and --diff together exit 2" 2 "$KDOCTOR" lint --fix --diff Dockerfile
expect_status "--fix of a file that does not parse exits 2" 2 sh -c "printf 'ENV X\n' >bad && \"$KDOCTOR\" lint --fix bad"

# a symbolic link stays a link; the file it points to gets the fix
mkdir -p real && printf 'FROM alpine:3.19\nADD a /a\n' >real/Dockerfile && ln -s real/Dockerfile linked
run "$KDOCTOR" lint --fix linked
if [ -L linked ] && grep -q '^COPY a /a$' real/Dockerfile; then ok "--fix writes through a symbolic link"; else
    not_ok "--fix writes through a symbolic link" "$(ls -l linked real)"
fi

# a CRLF file keeps CRLF where lines are joined
printf 'FROM alpine:3.19\r\nRUN apk add --no-cache curl\r\n# kept\r\n\r\nRUN cd /tmp && touch x\r\nRUN echo done\r\n' >crlf2
run "$KDOCTOR" lint --fix crlf2
bytes_are "--fix joins CRLF lines with CRLF" crlf2 \
    'FROMalpine:3.19\r\nRUNapkadd--no-cachecurl&&\\r\n#kept\r\n(cd/tmp&&touchx)&&\\r\nechodone\r\n'

# standard input: the joined file goes to standard output
expect_status "--fix of standard input with a join" 0 sh -c "printf 'FROM alpine:3.19\nRUN a\nRUN b\n' | \"$KDOCTOR\" lint --fix --failure-threshold none -"
if [ "$(cat "$TMP/out")" = "$(printf 'FROM alpine:3.19\nRUN a && \\\n    b')" ]; then ok "--fix of standard input prints the joined file"; else
    not_ok "--fix of standard input prints the joined file" "$(cat "$TMP/out")"
fi
