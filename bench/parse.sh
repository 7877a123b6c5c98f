#!/bin/sh
# Times `kdoctor parse` over the whole real-world corpus in one process and
# reports MB/s and files/s (the median of RUNS runs, after one warm-up run).
# Usage: bench/parse.sh [KDOCTOR] [CORPUS_DIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kd=${1:-$top/out/kdoctor}
dir=${2:-${KDOCTOR_CORPUS:-$top/../shared/corpus}/real}
runs=${RUNS:-21}
[ -x "$kd" ] || { echo "bench/parse.sh: no kdoctor binary at $kd (run make)" >&2; exit 2; }
[ -d "$dir" ] || { echo "bench/parse.sh: no corpus at $dir" >&2; exit 2; }

files=$(ls "$dir" | grep -c Dockerfile)
bytes=$(cat "$dir"/*Dockerfile* | wc -c)
"$kd" parse --quiet "$dir"/*Dockerfile* # warm-up: page cache, and a check that all parse

times=""
i=0
while [ $i -lt "$runs" ]; do
    t0=$(date +%s%N)
    "$kd" parse --quiet "$dir"/*Dockerfile*
    t1=$(date +%s%N)
    times="$times $(((t1 - t0) / 1000))"
    i=$((i + 1))
done
median=$(printf '%s\n' $times | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
best=$(printf '%s\n' $times | sort -n | head -n 1)
awk -v us="$median" -v best="$best" -v f="$files" -v b="$bytes" -v n="$runs" 'BEGIN {
    printf "corpus: %d files, %.2f MB\n", f, b / 1e6
    printf "kdoctor parse, one process, median of %d runs: %.1f ms (best %.1f ms)\n", n, us / 1000, best / 1000
    printf "throughput: %.1f MB/s, %.0f files/s\n", b / us, f / (us / 1e6)
    printf "target: whole corpus well under 100 ms: %s\n", (us < 100000 ? "met" : "NOT met")
}'
