#!/bin/sh
# The command line: help, version, usage errors and exit statuses.
. "$(dirname "$0")/../lib.sh"

expect_status "no arguments prints help" 0 "$KDOCTOR"
expect_grep "help lists parse" out '^  parse '
expect_status "--version" 0 "$KDOCTOR" --version
expect_grep "--version prints a version" out '^kdoctor [0-9a-z]'
expect_status "version command" 0 "$KDOCTOR" version
expect_status "help parse" 0 "$KDOCTOR" help parse
expect_grep "help parse shows usage" out '^Usage: kdoctor parse'
expect_status "parse --help" 0 "$KDOCTOR" parse --help
expect_grep "parse --help shows usage" out '^Usage: kdoctor parse'
expect_status "unknown command exits 2" 2 "$KDOCTOR" frobnicate
expect_grep "unknown command is named" err "'frobnicate' is not a kdoctor command"
expect_status "unknown global option exits 2" 2 "$KDOCTOR" --frob
expect_grep "unknown global option is named" err "unknown option '--frob'"
expect_status "unknown parse option exits 2" 2 "$KDOCTOR" parse --frob Dockerfile
expect_grep "unknown parse option is named" err "kdoctor parse: unknown option '--frob'"
expect_status "help of an unknown command exits 2" 2 "$KDOCTOR" help frob
expect_status "parse without a file exits 2" 2 "$KDOCTOR" parse

printf 'FROM alpine\nRUN echo hi\n' >"$TMP/Dockerfile"
expect_status "parse a file" 0 "$KDOCTOR" parse "$TMP/Dockerfile"
expect_grep "summary names the file" out "Dockerfile: 2 instructions"
printf 'FROM alpine\nRUN echo hi\n' | "$KDOCTOR" parse --dump - >"$TMP/stdin.out" 2>&1
if [ "$(cat "$TMP/stdin.out")" = '(from "alpine")
(run "echo hi")' ]; then ok "parse reads standard input"; else
    not_ok "parse reads standard input" "$(cat "$TMP/stdin.out")"
fi

printf 'FROM alpine\nRUN <<EOF\necho\n' >"$TMP/bad"
expect_status "parse error exits 2" 2 "$KDOCTOR" parse "$TMP/bad"
expect_grep "parse error names file:line:col" err "bad:2:5: unterminated heredoc"
expect_status "missing file exits 2" 2 "$KDOCTOR" parse "$TMP/nope"
expect_grep "missing file is named" err "cannot open .*nope: No such file"
expect_status "a directory exits 2" 2 "$KDOCTOR" parse "$TMP"
expect_status "one bad file among good ones exits 2" 2 "$KDOCTOR" parse -q "$TMP/Dockerfile" "$TMP/bad"

printf 'FROM a\nFOO bar\n' >"$TMP/unknown"
expect_status "unknown instruction parses" 0 "$KDOCTOR" parse --dump "$TMP/unknown"
expect_grep "unknown instruction warns with a position" err "unknown:2:1: warning: unknown instruction: FOO"
expect_status "--no-warnings" 0 "$KDOCTOR" parse --no-warnings "$TMP/unknown"
if [ ! -s "$TMP/err" ]; then ok "--no-warnings is quiet"; else not_ok "--no-warnings is quiet"; fi

expect_status "parse --json" 0 "$KDOCTOR" parse --json "$TMP/Dockerfile"
expect_grep "json has positions" out '"instruction":"RUN","keyword":"RUN","start":\{"line":2,"column":1,"offset":12\}'
