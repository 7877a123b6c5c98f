#!/bin/sh
# The rule suite. For every built-in rule:
#  - its page docs/rules/ID.md exists, states the rule's severity, category
#    and aliases as `kdoctor rules` does, and its examples are run: the
#    "## Bad" example must fire the rule, the "## Good" one must not;
#  - its case file tests/rules/cases/ID.cases holds at least one case that
#    fires and one near miss, each with the exact positions expected.
# A case file is a list of cases:
#   %% case NAME              starts a case; the lines up to the next %% line
#                             are its Dockerfile
#   %% expect L:C [L:C...]    the positions where the rule must fire (in
#                             order), or "%% expect none" for a near miss
#   %% file NAME              the lines up to the next %% line go into NAME
#                             beside the Dockerfile (.dockerignore,
#                             .kdoctor.yaml, ...)
#   %% dir NAME               makes the folder NAME beside the Dockerfile
# In a docs page, ```dockerignore and ```yaml blocks in a section go into
# .dockerignore and .kdoctor.yaml, and <!-- test-dir: NAME --> makes a folder.
. "$(dirname "$0")/../lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)

"$KDOCTOR" rules >"$TMP/rules.txt" || { not_ok "kdoctor rules"; exit 1; }
ids=$(awk 'NR > 1 { print $1 }' "$TMP/rules.txt")

# positions (L:C) at which rule $1 fired in the gnu output in $TMP/out
positions() {
    sed -n "s/^.*:\([0-9]*\)\.\([0-9]*\)-[0-9]*\.[0-9]*: [a-z]*: .* \[$1\]\$/\1:\2/p" "$TMP/out" |
        tr '\n' ' ' | sed 's/ $//'
}

# lint DIR ID: runs the rule alone on DIR/Dockerfile (config only if given)
lint() {
    cfg=--no-config
    [ -f "$1/.kdoctor.yaml" ] && cfg="--config=$1/.kdoctor.yaml"
    run "$KDOCTOR" lint --format gnu --failure-threshold none "$cfg" --select "$2" "$1/Dockerfile"
}

# extract_section FILE HEADING DIR: the section's blocks into DIR
extract_section() {
    mkdir -p "$3"
    awk -v want="$2" -v dir="$3" '
        /^## / { insec = ($0 == "## " want); next }
        insec && /^<!-- test-dir: .* -->$/ {
            d = $3; system("mkdir -p \"" dir "/" d "\""); next }
        insec && /^```/ && !inblock {
            info = substr($0, 4); inblock = 1
            out = ""
            if (info == "dockerfile" && !seen) { out = dir "/Dockerfile"; seen = 1 }
            else if (info == "dockerignore") out = dir "/.dockerignore"
            else if (info == "yaml") out = dir "/.kdoctor.yaml"
            next }
        inblock && /^```$/ { inblock = 0; if (out != "") close(out); next }
        inblock && out != "" { print > out }
    ' "$1"
}

check_page() {
    id=$1 page="$top/docs/rules/$id.md"
    if [ ! -f "$page" ]; then not_ok "$id: docs page"; return; fi
    sev=$(awk -v id="$id" '$1 == id { print $3 }' "$TMP/rules.txt")
    cat=$(awk -v id="$id" '$1 == id { print $4 }' "$TMP/rules.txt")
    if grep -q "^| Severity | $sev |" "$page" && grep -q "^| Category | $cat |" "$page"; then
        ok "$id: docs page states severity $sev and category $cat"
    else
        not_ok "$id: docs page states severity $sev and category $cat"
    fi
    for part in Bad Good; do
        d="$TMP/doc-$id-$part"
        extract_section "$page" "$part" "$d"
        if [ ! -f "$d/Dockerfile" ]; then not_ok "$id: docs $part example exists"; continue; fi
        lint "$d" "$id"
        got=$(positions "$id")
        if [ "$part" = Bad ] && [ -n "$got" ] && [ "$status" -eq 0 ]; then
            ok "$id: docs Bad example fires"
        elif [ "$part" = Good ] && [ -z "$got" ] && [ "$status" -eq 0 ]; then
            ok "$id: docs Good example does not fire"
        else
            not_ok "$id: docs $part example" "status $status, fired at: $got" "$(head -c 600 "$TMP/err")"
        fi
    done
}

# run_cases ID: splits the case file into folders and runs each case
run_cases() {
    id=$1 file="$top/tests/rules/cases/$id.cases"
    if [ ! -f "$file" ]; then not_ok "$id: case file"; return; fi
    base="$TMP/cases-$id"
    mkdir -p "$base"
    awk -v base="$base" '
        /^%% case / { name = substr($0, 9); gsub(/[^A-Za-z0-9_.-]/, "_", name)
                      n++; dir = base "/" sprintf("%02d", n) "-" name
                      system("mkdir -p \"" dir "\""); out = dir "/Dockerfile"; next }
        /^%% expect / { print substr($0, 11) > (dir "/expect"); close(dir "/expect"); out = ""; next }
        /^%% file / { out = dir "/" substr($0, 9); next }
        /^%% dir / { system("mkdir -p \"" dir "/" substr($0, 8) "\""); out = ""; next }
        out != "" { print > out }
    ' "$file"
    fires=0 misses=0
    for d in "$base"/*/; do
        d=${d%/}
        name=$(basename "$d")
        want=$(cat "$d/expect" 2>/dev/null)
        [ "$want" = none ] && want="" && misses=$((misses + 1)) || fires=$((fires + 1))
        [ -f "$d/Dockerfile" ] || : >"$d/Dockerfile"
        lint "$d" "$id"
        got=$(positions "$id")
        if [ "$status" -eq 0 ] && [ "$got" = "$want" ]; then ok "$id: case $name"; else
            not_ok "$id: case $name" "expected at: '${want:-none}', fired at: '$got' (status $status)" \
                "$(head -c 600 "$TMP/out")" "$(head -c 600 "$TMP/err")"
        fi
    done
    if [ "$fires" -ge 1 ] && [ "$misses" -ge 1 ]; then ok "$id: has a firing case and a near miss"
    else not_ok "$id: has a firing case and a near miss" "$fires firing, $misses near misses"; fi
}

for id in $ids; do
    check_page "$id"
    run_cases "$id"
done
