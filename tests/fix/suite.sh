#!/bin/sh
# Golden tests of `kdoctor lint --fix` (issue 4). Each case is a pair of
# files in tests/fix/cases/:
#   NAME.Dockerfile           the input
#   NAME.fixed                what --fix must make of it, byte for byte (equal
#                             to the input when every fix must be refused)
#   NAME.unsafe.fixed         optional: what --fix-unsafe must make of it
#   NAME.kdoctor.yaml         optional: the config (else --no-config)
#   NAME.context/             optional: files beside the Dockerfile (the build
#                             context some fixes look at)
# For each case and mode: the fixed file matches, parses, a second --fix
# changes nothing, `--diff` exits 1 (0 when nothing changes) and its diff,
# applied with patch, gives the same file.
# Then the corpus check: fix-check (tests/fix/fix_check.c) over every file
# of $KDOCTOR_CORPUS/real, safe fixes and unsafe ones (skipped without the
# corpus).
. "$(dirname "$0")/../lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
cases="$top/tests/fix/cases"

# setup NAME DIR: DIR gets the case's Dockerfile, context and config
setup() {
    rm -rf "$2"
    mkdir -p "$2"
    [ -d "$cases/$1.context" ] && cp -R "$cases/$1.context/." "$2/"
    cp "$cases/$1.Dockerfile" "$2/Dockerfile"
    cfg=--no-config
    [ -f "$cases/$1.kdoctor.yaml" ] && cfg="--config=$cases/$1.kdoctor.yaml"
}

# check NAME MODE WANT: MODE is --fix or --fix-unsafe
check() {
    name=$1 mode=$2 want=$3 d="$TMP/$1$2"
    label="$name ($mode)"
    setup "$name" "$d"
    run "$KDOCTOR" lint "$cfg" -q --failure-threshold none "$mode" "$d/Dockerfile"
    if [ "$status" -ne 0 ]; then
        not_ok "$label: exit status 0" "status $status" "$(head -c 600 "$TMP/err")"
        return
    fi
    if cmp -s "$d/Dockerfile" "$want"; then ok "$label: fixed as expected"; else
        not_ok "$label: fixed as expected" "$(diff "$want" "$d/Dockerfile" | head -n 30)"
    fi
    if "$KDOCTOR" parse "$d/Dockerfile" >/dev/null 2>"$TMP/err"; then ok "$label: fixed file parses"
    else not_ok "$label: fixed file parses" "$(head -c 600 "$TMP/err")"; fi
    cp "$d/Dockerfile" "$d/once"
    run "$KDOCTOR" lint "$cfg" -q --failure-threshold none "$mode" "$d/Dockerfile"
    if cmp -s "$d/Dockerfile" "$d/once"; then ok "$label: a second fix changes nothing"; else
        not_ok "$label: a second fix changes nothing" "$(diff "$d/once" "$d/Dockerfile" | head -n 20)"
    fi
    # --diff of the original agrees with --fix
    setup "$name" "$d"
    cp "$d/Dockerfile" "$d/orig"
    flag=""
    [ "$mode" = --fix-unsafe ] && flag=--fix-unsafe
    (cd "$d" && "$KDOCTOR" lint "$cfg" --diff $flag Dockerfile >"$TMP/diff" 2>"$TMP/err")
    status=$?
    if cmp -s "$d/orig" "$want"; then expect=0; else expect=1; fi
    if [ "$status" -ne "$expect" ]; then
        not_ok "$label: --diff agrees" "status $status, expected $expect" "$(head -c 600 "$TMP/err")"
    elif ! cmp -s "$d/Dockerfile" "$d/orig"; then
        not_ok "$label: --diff agrees" "--diff wrote the file"
    elif [ "$expect" -eq 1 ] && ! (cd "$d" && patch -s -p1 <"$TMP/diff" >/dev/null 2>&1); then
        not_ok "$label: --diff agrees" "patch -p1 refused the diff" "$(head -c 600 "$TMP/diff")"
    elif ! cmp -s "$d/Dockerfile" "$want"; then
        not_ok "$label: --diff agrees" "$(diff "$want" "$d/Dockerfile" | head -n 20)"
    else
        ok "$label: --diff agrees"
    fi
}

n=0
for input in "$cases"/*.Dockerfile; do
    name=$(basename "$input" .Dockerfile)
    if [ ! -f "$cases/$name.fixed" ]; then
        not_ok "$name: has a .fixed file"
        continue
    fi
    check "$name" --fix "$cases/$name.fixed"
    if [ -f "$cases/$name.unsafe.fixed" ]; then
        check "$name" --fix-unsafe "$cases/$name.unsafe.fixed"
    fi
    n=$((n + 1))
done
if [ "$n" -ge 1 ]; then ok "golden cases found ($n)"; else not_ok "golden cases found"; fi

: "${FIX_CHECK:=$(dirname "$KDOCTOR")/fix-check}"
real="${KDOCTOR_CORPUS:-$top/../shared/corpus}/real"
if [ ! -d "$real" ]; then
    skip "corpus fixes" "no corpus at $real"
elif [ ! -x "$FIX_CHECK" ]; then
    not_ok "corpus fixes" "no fix-check at $FIX_CHECK"
else
    for mode in "" --unsafe; do
        "$FIX_CHECK" $mode "$real"/*Dockerfile* >"$TMP/corpus" 2>&1
        cat "$TMP/corpus"
    done
fi
