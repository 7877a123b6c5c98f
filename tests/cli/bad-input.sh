#!/bin/sh
# Bad input is never a crash: each case exits with a clear diagnostic that
# names FILE:LINE:COLUMN (an error with status 2, or a warning).
. "$(dirname "$0")/../lib.sh"

# binary garbage with NUL bytes: an error at the first NUL
printf 'FROM a\n\177ELF\002\001\001\000\000\000binary' >"$TMP/garbage"
expect_status "binary garbage exits 2" 2 "$KDOCTOR" parse "$TMP/garbage"
expect_grep "binary garbage names the NUL" err "garbage:2:8: NUL byte"

# the kdoctor binary itself as a Dockerfile
expect_status "an executable as Dockerfile exits 2" 2 "$KDOCTOR" parse "$KDOCTOR"
expect_grep "an executable as Dockerfile is named" err "kdoctor:1:[0-9]+: NUL byte"

# garbage without NULs parses as unknown instructions, as BuildKit does
head -c 3000 /dev/urandom | tr -d '\000' >"$TMP/noise"
run "$KDOCTOR" parse --dump "$TMP/noise"
if [ "$status" -eq 0 ] || [ "$status" -eq 2 ]; then ok "random bytes: no crash"; else
    not_ok "random bytes: no crash" "status $status"
fi

# a 1 MB line
{ printf 'FROM a\nRUN '; head -c 1048576 /dev/zero | tr '\000' x; printf '\n'; } >"$TMP/long"
expect_status "1 MB line exits 2" 2 "$KDOCTOR" parse "$TMP/long"
expect_grep "1 MB line is named" err "long:2:1: line is 1048580 bytes long"

# truncated in the middle of a continued instruction: a warning
printf 'FROM a\nRUN apt-get update && \\' >"$TMP/truncated"
expect_status "truncated continuation parses" 0 "$KDOCTOR" parse --dump "$TMP/truncated"
expect_grep "truncated continuation warns" err "truncated:2:[0-9]+: warning: the file ends while the instruction continues"

# truncated JSON falls back to shell form, as BuildKit does
printf 'FROM a\nCMD ["sh", "-c' >"$TMP/json"
expect_status "truncated JSON parses as shell form" 0 "$KDOCTOR" parse --dump --no-warnings "$TMP/json"
expect_grep "truncated JSON dump" out '^\(cmd "\[\\"sh\\", \\"-c"\)$'

# unterminated quotes: warnings with the quote's position
printf 'FROM a\nRUN echo "hello\nENV A="open\n' >"$TMP/quotes"
expect_status "unterminated quotes parse" 0 "$KDOCTOR" parse "$TMP/quotes"
expect_grep "unterminated quote in RUN is located" err 'quotes:2:10: warning: the " quote opened here is never closed'
expect_grep "unterminated quote in ENV is located" err 'quotes:3:5: warning: ENV has a quote that is never closed'

# unterminated heredoc: an error at the heredoc word
printf 'FROM a\nCOPY <<EOF /x\nline\n' >"$TMP/heredoc"
expect_status "unterminated heredoc exits 2" 2 "$KDOCTOR" parse "$TMP/heredoc"
expect_grep "unterminated heredoc is located" err 'heredoc:2:6: unterminated heredoc'

# an empty file and a file of comments
: >"$TMP/empty"
expect_status "empty file exits 2" 2 "$KDOCTOR" parse "$TMP/empty"
expect_grep "empty file is located" err 'empty:1:1: file with no instructions'
