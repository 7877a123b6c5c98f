#!/bin/sh
# Runs every test suite and ends with one line: "N passed, N failed".
# Each suite prints "ok - NAME" or "not ok - NAME" lines (and may print
# "skip - NAME: WHY" lines, which count in neither total).
# Environment: KDOCTOR and UNIT_TESTS (set by make), KDOCTOR_CORPUS (defaults
# to ../shared/corpus beside the project), TESTS (a pattern to run a subset),
# KD_TESTS_LONG=1 (run tests/long/*.sh, the slow suites, instead).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
: "${KDOCTOR:=$top/out/kdoctor}"
: "${UNIT_TESTS:=$top/out/unit-tests}"
: "${KDOCTOR_CORPUS:=$top/../shared/corpus}"
: "${TESTS:=}"
export KDOCTOR UNIT_TESTS KDOCTOR_CORPUS

log=$(mktemp -d "${TMPDIR:-/tmp}/kdoctor-tests.XXXXXX")
trap 'rm -rf "$log"' EXIT INT TERM

# KD_TESTS_LONG=1 (make test-long): the slow suites of tests/long instead
if [ "${KD_TESTS_LONG:-}" = 1 ]; then
    suites=$(ls tests/long/*.sh)
else
    suites="unit"
    for s in tests/*/suite.sh; do
        suites="$suites ${s%/suite.sh}"
    done
    for s in tests/cli/*.sh; do
        suites="$suites $s"
    done
fi

passed=0 failed=0 skipped=0
for s in $suites; do
    case "$s" in *"$TESTS"*) ;; *) continue ;; esac
    out="$log/out"
    if [ "$s" = unit ]; then
        "$UNIT_TESTS" >"$out" 2>&1
    elif [ -d "$s" ]; then
        sh "$s/suite.sh" >"$out" 2>&1
    else
        sh "$s" >"$out" 2>&1
    fi
    rc=$?
    p=$(grep -c '^ok - ' "$out")
    f=$(grep -c '^not ok - ' "$out")
    k=$(grep -c '^skip - ' "$out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        # a suite that dies without reporting a failure is itself a failure
        echo "not ok - $s exited with status $rc" >>"$out"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + k))
    printf '%-40s %5d passed %5d failed\n' "$s" "$p" "$f"
    if [ "$f" -gt 0 ]; then
        # show each failure with the lines that explain it
        awk '/^not ok - /{show=1} /^ok - /{show=0} show' "$out" | head -n 200 | sed 's/^/    /'
    fi
    grep '^skip - ' "$out" | sed 's/^/    /'
done
[ "$skipped" -gt 0 ] && echo "($skipped skipped)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
