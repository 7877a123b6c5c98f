#!/bin/sh
# Parser conformance: BuildKit's own fixtures (every positive case prints
# exactly its result, every negative case fails with FILE:LINE:COL), the
# line-number case, and every real-world Dockerfile of the shared corpus.
. "$(dirname "$0")/../lib.sh"

bk="$KDOCTOR_CORPUS/buildkit-parser"
if [ ! -d "$bk/positive" ]; then
    skip "buildkit-parser fixtures" "not found at $bk (set KDOCTOR_CORPUS)"
else
    for d in "$bk"/positive/*/; do
        n=$(basename "$d")
        expect_out "buildkit positive $n" "$d/result" "$KDOCTOR" parse --dump --no-warnings "$d/Dockerfile"
    done
    for d in "$bk"/negative/*/; do
        n=$(basename "$d")
        run "$KDOCTOR" parse --dump "$d/Dockerfile"
        if [ "$status" -eq 2 ] && [ ! -s "$TMP/out" ] &&
            grep -Eq "Dockerfile:[0-9]+:[0-9]+: " "$TMP/err"; then
            ok "buildkit negative $n"
        else
            not_ok "buildkit negative $n" "status $status" "$(cat "$TMP/err")"
        fi
    done
    # upstream TestParseIncludesLineNumbers: FROM 5-5, ENV 11-12, RUN 17-31
    run "$KDOCTOR" parse --no-warnings "$bk/extra/testfile-line/Dockerfile"
    lines=$(awk 'NR > 1 { print $1 }' "$TMP/out" | tr '\n' ' ')
    if [ "$lines" = "5 11-12 17-31 " ]; then ok "buildkit line numbers"; else
        not_ok "buildkit line numbers" "got: $lines"
    fi
fi

real="$KDOCTOR_CORPUS/real"
if [ ! -d "$real" ]; then
    skip "real-world corpus" "not found at $real"
else
    # one process for the whole corpus: every file must parse
    run "$KDOCTOR" parse --quiet "$real"/*Dockerfile*
    n=$(ls "$real" | grep -c Dockerfile)
    if [ "$status" -eq 0 ] && [ ! -s "$TMP/err" ]; then ok "real corpus: all $n files parse"; else
        not_ok "real corpus: all $n files parse" "$(head -n 20 "$TMP/err")"
    fi
    # the dump and the JSON form work on every file too
    run "$KDOCTOR" parse --dump --no-warnings "$real"/*Dockerfile*
    if [ "$status" -eq 0 ] && [ "$(grep -c '^(from ' "$TMP/out")" -ge "$n" ]; then
        ok "real corpus: dump of every file"
    else
        not_ok "real corpus: dump of every file" "status $status"
    fi
    run "$KDOCTOR" parse --json --no-warnings "$real"/*Dockerfile*
    if [ "$status" -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq "$n" ]; then
        ok "real corpus: one JSON line per file"
    else
        not_ok "real corpus: one JSON line per file" "status $status, $(wc -l <"$TMP/out") lines"
    fi
fi

# our own cases: tests/parser/cases/NAME.Dockerfile with NAME.dump
for df in "$(dirname "$0")"/cases/*.Dockerfile; do
    [ -e "$df" ] || continue
    n=$(basename "$df" .Dockerfile)
    if [ -f "${df%.Dockerfile}.dump" ]; then
        expect_out "case $n" "${df%.Dockerfile}.dump" "$KDOCTOR" parse --dump --no-warnings "$df"
    else
        run "$KDOCTOR" parse --dump "$df"
        want=$(cat "${df%.Dockerfile}.error")
        if [ "$status" -eq 2 ] && grep -qF -- "$want" "$TMP/err"; then ok "case $n (error)"; else
            not_ok "case $n (error)" "status $status, expected error: $want" "$(cat "$TMP/err")"
        fi
    fi
done
