#!/bin/sh
# kdoctor starts fast: out/kdoctor is a static front (no ld.so, no shared
# library), and the commands that load libraries run in kdoctor-full, which
# links none of the builder's heavy libraries either (util/lazylib.h).
. "$(dirname "$0")/../lib.sh"

full=$(dirname "$KDOCTOR")/kdoctor-full
needed() { readelf -d "$1" 2>/dev/null | awk '/\(NEEDED\)/ {print $NF}' | tr -d '[]' | tr '\n' ' '; }

if ! command -v readelf >/dev/null 2>&1; then
    skip "linked libraries" "readelf is not available"
    exit 0
fi
[ -x "$full" ] && ok "kdoctor-full is built beside kdoctor" || not_ok "kdoctor-full is built beside kdoctor" "no $full"
for lib in libcurl libarchive libcrypto libisal libssl libncurses libcjson; do
    case "$(needed "$full")" in
    *"$lib"*) not_ok "kdoctor-full does not link $lib" "NEEDED: $(needed "$full")" ;;
    *) ok "kdoctor-full does not link $lib" ;;
    esac
done

if readelf -d "$KDOCTOR" 2>/dev/null | grep -q '(NEEDED)'; then
    # the sanitizer build: ASan needs a dynamic binary, and there the
    # front is the full program
    skip "the static front" "$KDOCTOR is linked dynamically (a sanitizer build)"
    exit 0
fi
ok "kdoctor links no shared library"

# the front alone: lint runs in it, commands that need libraries say what is missing
mkdir -p "$TMP/alone" "$TMP/inst/bin" "$TMP/inst/libexec/kdoctor" "$TMP/p"
cp "$KDOCTOR" "$TMP/alone/kdoctor"
printf 'FROM debian:12\nRUN apt-get update && apt-get install -y curl\n' >"$TMP/p/Dockerfile"
expect_status "the front lints on its own" 1 "$TMP/alone/kdoctor" lint --no-config -f gnu "$TMP/p/Dockerfile"
expect_grep "with findings" out 'KD1510'
expect_status "the front lists and explains rules on its own" 0 "$TMP/alone/kdoctor" explain KD1510
for cmd in "images" "lint --no-config -f json $TMP/p/Dockerfile" "rules --json" "cache ls"; do
    # shellcheck disable=SC2086
    expect_status "without kdoctor-full, '$cmd' fails" 1 "$TMP/alone/kdoctor" $cmd
    expect_grep "and says kdoctor-full is missing" err 'runs in kdoctor-full, which is neither beside .*/alone/kdoctor nor in \.\./libexec/kdoctor/'
    [ -s "$TMP/out" ] && not_ok "and prints nothing on stdout" "$(head -c 300 "$TMP/out")" || ok "and prints nothing on stdout"
done

# team rule files are read in the front itself (lint/json.c, not cJSON)
printf '[{"id": "ACME8", "name": "no-curl", "message": "curl here", "severity": "error",\n  "pattern": "curl"}]\n' >"$TMP/p/team.json"
expect_status "the front reads --rules files on its own" 1 "$TMP/alone/kdoctor" lint --no-config -f gnu --rules "$TMP/p/team.json" "$TMP/p/Dockerfile"
expect_grep "and runs their rules" out 'ACME8'

# the installed layout (make install): bin/kdoctor, libexec/kdoctor/kdoctor-full
cp "$KDOCTOR" "$TMP/inst/bin/kdoctor"
cp "$full" "$TMP/inst/libexec/kdoctor/kdoctor-full"
"$full" rules --json >"$TMP/want.json"
expect_out "installed, the front hands over to libexec/kdoctor/kdoctor-full" "$TMP/want.json" \
    "$TMP/inst/bin/kdoctor" rules --json

# a hand-over keeps the arguments and standard input, and prints once
printf 'FROM alpine:3.19\nRUN apk update\n' >"$TMP/stdin.df"
"$full" lint --no-config -f json - <"$TMP/stdin.df" >"$TMP/want2.json"
run "$KDOCTOR" lint --no-config -f json - <"$TMP/stdin.df"
cmp -s "$TMP/out" "$TMP/want2.json" && ok "lint -f json of standard input: the same as kdoctor-full's" ||
    not_ok "lint -f json of standard input: the same as kdoctor-full's" "$(diff "$TMP/want2.json" "$TMP/out" | head)"

# a config found on the way that loads JSON rule files: the front reads
# them itself (lint/json.c, not cJSON), with the same output as kdoctor-full
mkdir -p "$TMP/a" "$TMP/b"
cp "$TMP/p/Dockerfile" "$TMP/a/Dockerfile"
cp "$TMP/p/Dockerfile" "$TMP/b/Dockerfile"
printf '[{"id": "ACME9", "name": "no-apt", "message": "apt here", "severity": "error",\n  "pattern": "apt-get"}]\n' >"$TMP/b/team.json"
printf 'rules: [team.json]\n' >"$TMP/b/.kdoctor.yaml"
"$full" lint -f gnu "$TMP/a/Dockerfile" "$TMP/b/Dockerfile" >"$TMP/want3" 2>&1
run "$KDOCTOR" lint -f gnu "$TMP/a/Dockerfile" "$TMP/b/Dockerfile"
if grep -q ACME9 "$TMP/out" && cmp -s "$TMP/out" "$TMP/want3"; then
    ok "a second file's config with rules: the whole output once, as kdoctor-full's"
else
    not_ok "a second file's config with rules: the whole output once, as kdoctor-full's" "$(diff "$TMP/want3" "$TMP/out" | head)"
fi
