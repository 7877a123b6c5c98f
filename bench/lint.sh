#!/bin/sh
# Lint speed and findings over the real-world corpus, compared with two
# other Dockerfile linters from npm, dockerfilelint and dockerfile-utils
# (installed by this script into a scratch folder with npm install
# --prefix). Prints:
#  - the number of findings per rule (kdoctor lint --statistics);
#  - kdoctor, one process for the whole corpus: median wall time of RUNS runs;
#  - one process per file: mean wall time per file over SAMPLE files (every
#    k-th file of the corpus) for each tool, and the ratios;
#  - one process for all files: each peer over the whole corpus (the
#    dockerfile-utils CLI takes one file, so its library's validate() runs
#    in one node process, bench/dockerfile-utils-all.js), and the ratios.
# Usage: bench/lint.sh [KDOCTOR] [CORPUS_DIR]; environment: RUNS (11),
# SAMPLE (60), PEERS (scratch folder; default a temporary one).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kd=${1:-$top/out/kdoctor}
dir=${2:-${KDOCTOR_CORPUS:-$top/../shared/corpus}/real}
runs=${RUNS:-11}
sample=${SAMPLE:-60}
[ -x "$kd" ] || { echo "bench/lint.sh: no kdoctor binary at $kd (run make)" >&2; exit 2; }
[ -d "$dir" ] || { echo "bench/lint.sh: no corpus at $dir" >&2; exit 2; }

files=$(ls "$dir"/*Dockerfile*)
nfiles=$(echo "$files" | wc -l)
step=$(( nfiles / sample )); [ "$step" -ge 1 ] || step=1
picked=$(echo "$files" | awk -v s="$step" -v n="$sample" 'NR % s == 0 && c < n { print; c++ }')
npicked=$(echo "$picked" | wc -l)

now() { date +%s%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", (b - a) / 1e6 }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "== corpus: $nfiles files in $dir"
echo
echo "== findings per rule (kdoctor lint --statistics)"
# shellcheck disable=SC2086
"$kd" lint --no-config -q --statistics --failure-threshold none $files
total=$("$kd" lint --no-config -f gnu --failure-threshold none $files | grep -c . || true)
echo "total: $total findings"
echo

# kdoctor, one process, whole corpus
"$kd" lint --no-config -q --failure-threshold none $files # warm-up
times=""
i=0
while [ $i -lt "$runs" ]; do
    t0=$(now); "$kd" lint --no-config -q --failure-threshold none $files; t1=$(now)
    times="$times $(ms "$t0" "$t1")"
    i=$((i + 1))
done
kd_all=$(printf '%s\n' $times | median)
cpu=$( { /usr/bin/time -f '%U %S' "$kd" lint --no-config -q --failure-threshold none $files; } 2>&1 | tail -n 1 |
      awk '{ printf "%.0f", ($1 + $2) * 1000 }')
echo "== kdoctor, one process for all $nfiles files: median of $runs runs: $kd_all ms (CPU about $cpu ms)"
awk -v t="$kd_all" 'BEGIN { printf "target: under 100 ms: %s\n", (t < 100 ? "met" : "NOT met") }'
echo

# one process per file
per_file() { # per_file CMD...: mean ms per file over the sample
    t0=$(now)
    for f in $picked; do "$@" "$f" >/dev/null 2>&1 || true; done
    t1=$(now)
    awk -v a="$t0" -v b="$t1" -v n="$npicked" 'BEGIN { printf "%.2f", (b - a) / 1e6 / n }'
}
kd_one=$(per_file "$kd" lint --no-config -q)
kd_noctx=$(per_file "$kd" lint --no-config -q --ignore KD1103)
echo "== one process per file (mean over $npicked files)"
echo "kdoctor:          $kd_one ms per file"
echo "  (of which the walk of the $nfiles-file corpus folder for KD1103, once per process: $(awk -v a="$kd_one" -v b="$kd_noctx" 'BEGIN { printf "%.2f", a - b }') ms)"
echo "process start floor (/bin/true): $(per_file /bin/true) ms per file"

peers=${PEERS:-}
if [ -z "$peers" ]; then
    peers=$(mktemp -d "${TMPDIR:-/tmp}/kdoctor-bench-peers.XXXXXX")
    trap 'rm -rf "$peers"' EXIT INT TERM
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "(npm is not installed: no comparison)"
    exit 0
fi
if [ ! -x "$peers/node_modules/.bin/dockerfilelint" ] || [ ! -x "$peers/node_modules/.bin/dockerfile-utils" ]; then
    npm install --prefix "$peers" --no-audit --no-fund --silent dockerfilelint dockerfile-utils >/dev/null 2>&1 ||
        { echo "(npm install of the peers failed: no comparison)"; exit 0; }
fi
dfl="$peers/node_modules/.bin/dockerfilelint"
dfu="$peers/node_modules/.bin/dockerfile-utils"
echo "dockerfilelint:   $(per_file "$dfl") ms per file  ($("$dfl" --version 2>/dev/null | head -n 1))" | tee "$peers/dfl1"
echo "dockerfile-utils: $(per_file "$dfu" lint) ms per file  ($("$dfu" --version | head -n 1))" | tee "$peers/dfu1"
dfl_one=$(awk '{ print $2 }' "$peers/dfl1")
dfu_one=$(awk '{ print $2 }' "$peers/dfu1")
awk -v k="$kd_one" -v a="$dfl_one" -v b="$dfu_one" 'BEGIN {
    printf "ratio per file: dockerfilelint / kdoctor = %.0fx, dockerfile-utils / kdoctor = %.0fx\n", a / k, b / k
    printf "target: at least 50x faster than either: %s\n", (a / k >= 50 && b / k >= 50 ? "met" : "NOT met")
}'
echo

one_run() { # one_run CMD...: wall ms of one run
    t0=$(now); "$@" >/dev/null 2>&1 || true; t1=$(now); ms "$t0" "$t1"
}
echo "== one process for all $nfiles files (median of 3 runs)"
# shellcheck disable=SC2086
dfl_all=$(for i in 1 2 3; do one_run "$dfl" $files; done | median)
# shellcheck disable=SC2086
dfu_all=$(for i in 1 2 3; do one_run env NODE_PATH="$peers/node_modules" node "$top/bench/dockerfile-utils-all.js" $files; done | median)
echo "kdoctor:          $kd_all ms"
echo "dockerfilelint:   $dfl_all ms"
echo "dockerfile-utils: $dfu_all ms (its library in one node process)"
awk -v k="$kd_all" -v a="$dfl_all" -v b="$dfu_all" 'BEGIN {
    printf "ratio one process: dockerfilelint / kdoctor = %.0fx, dockerfile-utils / kdoctor = %.0fx\n", a / k, b / k
}'
