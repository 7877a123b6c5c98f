#!/bin/sh
# Runs each libFuzzer target for SECONDS seconds on its corpus
# (tests/fuzz/corpus/NAME, seeded from tests/ and the shared corpus) and
# fails if any crashes. Usage: run.sh SECONDS BINARY...
set -u
secs=$1
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
shared="${KDOCTOR_CORPUS:-$top/../shared/corpus}"
status=0
for bin in "$@"; do
    name=$(basename "$bin" | sed 's/^fuzz_//')
    corpus="$top/tests/fuzz/corpus/$name"
    mkdir -p "$corpus"
    work=$(mktemp -d)
    # seeds: our kept corpus, our test Dockerfiles and the shared ones
    seeds="$corpus"
    if [ "$name" = parse ]; then
        cp "$top"/tests/parser/cases/*.Dockerfile "$work"/ 2>/dev/null
        [ -d "$shared/real" ] && cp "$shared"/real/*Dockerfile* "$work"/ 2>/dev/null
        [ -d "$shared/buildkit-parser" ] &&
            for d in "$shared"/buildkit-parser/*/*/; do
                cp "$d/Dockerfile" "$work/bk-$(basename "$d")" 2>/dev/null
            done
        seeds="$corpus $work"
    fi
    echo "fuzz $name: ${secs}s"
    # shellcheck disable=SC2086
    if ! "$bin" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$top/tests/fuzz/" -print_final_stats=1 $seeds \
        >"$work/log" 2>&1; then
        echo "fuzz $name: FAILED"
        tail -n 40 "$work/log"
        status=1
    else
        grep -E '^stat::number_of_executed_units|^Done' "$work/log" | sed "s/^/fuzz $name: /"
    fi
    rm -rf "$work"
done
exit $status
