#!/bin/sh
# Rule cases: for each tests/rules/KDnnnn/ folder,
#   fires*.Dockerfile      must give findings of KDnnnn; a line
#                          "# expect: 3,7" lists exactly the lines reported
#   near-miss*.Dockerfile  must give none;
# and for each docs/rules/KDnnnn.md page, the Dockerfile under "## Bad"
# must fire the rule and the one under "## Good" must not.
. "$(dirname "$0")/../lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)

# lines RULE FILE: sets $got to the sorted, comma-separated lines RULE
# reports in FILE, and $status to kdoctor's exit status
lines() {
    "$KDOCTOR" lint --no-config --format gnu --failure-threshold none --select "$1" "$2" \
        >"$TMP/out" 2>"$TMP/err"
    status=$?
    got=$(grep "\[$1\]\$" "$TMP/out" | sed 's/^[^:]*:\([0-9]*\)\..*/\1/' | sort -n | uniq |
        paste -sd, -)
}

check_fires() {
    id=$1 f=$2
    name="$id $(basename "$f")"
    lines "$id" "$f"
    want=$(sed -n 's/^# expect: *//p' "$f" | head -n 1)
    if [ "$status" -ne 0 ]; then
        not_ok "$name" "kdoctor exited with $status" "$(head -c 600 "$TMP/err")"
    elif [ -z "$got" ]; then
        not_ok "$name" "no finding of $id" "$(head -c 600 "$TMP/out")"
    elif [ -n "$want" ] && [ "$got" != "$want" ]; then
        not_ok "$name" "reported lines $got, expected $want" "$(head -c 900 "$TMP/out")"
    else
        ok "$name"
    fi
}

check_quiet() {
    id=$1 f=$2 name=$3
    lines "$id" "$f"
    if [ "$status" -ne 0 ]; then
        not_ok "$name" "kdoctor exited with $status" "$(head -c 600 "$TMP/err")"
    elif [ -n "$got" ]; then
        not_ok "$name" "$id reported lines $got" "$(head -c 900 "$TMP/out")"
    else
        ok "$name"
    fi
}

for d in "$top"/tests/rules/KD*/; do
    [ -d "$d" ] || continue
    id=$(basename "$d")
    for f in "$d"fires*.Dockerfile; do
        [ -e "$f" ] && check_fires "$id" "$f"
    done
    for f in "$d"near-miss*.Dockerfile; do
        [ -e "$f" ] && check_quiet "$id" "$f" "$id $(basename "$f")"
    done
done

# example SECTION PAGE OUT: the first ```dockerfile block after "## SECTION"
example() {
    awk -v want="## $1" '
        $0 == want { sec = 1; next }
        /^## / { sec = 0 }
        sec && !inb && /^```dockerfile/ { inb = 1; next }
        inb && /^```/ { exit }
        inb { print }
    ' "$2" >"$3"
}

for page in "$top"/docs/rules/KD*.md; do
    [ -e "$page" ] || continue
    id=$(basename "$page" .md)
    example Bad "$page" "$TMP/bad.Dockerfile"
    example Good "$page" "$TMP/good.Dockerfile"
    if [ ! -s "$TMP/bad.Dockerfile" ] || [ ! -s "$TMP/good.Dockerfile" ]; then
        not_ok "$id docs page examples" "docs/rules/$id.md needs a Bad and a Good dockerfile block"
        continue
    fi
    lines "$id" "$TMP/bad.Dockerfile"
    if [ "$status" -eq 0 ] && [ -n "$got" ]; then ok "$id docs Bad fires"; else
        not_ok "$id docs Bad fires" "status $status, no finding" "$(head -c 600 "$TMP/err")"
    fi
    check_quiet "$id" "$TMP/good.Dockerfile" "$id docs Good is quiet"
done
