#!/bin/sh
# Lint speed and findings over the real-world corpus, compared with two
# other Dockerfile linters from npm, dockerfilelint and dockerfile-utils
# (installed by this script into a scratch folder with npm install
# --prefix). Prints:
#  - the number of findings per rule (kdoctor lint --statistics);
#  - kdoctor, one process for the whole corpus: median of RUNS runs;
#  - one process per file: mean per file over SAMPLE files (every k-th file
#    of the corpus) for each tool, and the ratios. Each sample file is
#    copied into a folder of its own, as a project's Dockerfile is: in the
#    corpus folder itself kdoctor's KD1103 stats its ~1,000 files in every
#    run (the peers look at no build context), which is shown apart;
#  - one process for all files: each peer over the whole corpus (the
#    dockerfile-utils CLI takes one file, so its library's validate() runs
#    in one node process, bench/dockerfile-utils-all.js), and the ratios.
# Each figure is given as wall time and as CPU time (user + system of the
# processes, from /usr/bin/time): on a shared machine the wall time also
# counts the wait for a free core, the CPU time does not.
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
[ -x /usr/bin/time ] || { echo "bench/lint.sh: needs /usr/bin/time (Debian package time)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/kdoctor-bench.XXXXXX")
peers=${PEERS:-$work/peers}
trap 'rm -rf "$work"' EXIT INT TERM
ls "$dir"/*Dockerfile* >"$work/all"
nfiles=$(wc -l <"$work/all")
step=$((nfiles / sample)); [ "$step" -ge 1 ] || step=1
awk -v s="$step" -v n="$sample" 'NR % s == 0 && c < n { print; c++ }' "$work/all" >"$work/corpus-sample"
npicked=$(wc -l <"$work/corpus-sample")
# the same files, each in a folder of its own
i=0
while read -r f; do
    i=$((i + 1))
    mkdir -p "$work/own/$i"
    cp "$f" "$work/own/$i/Dockerfile"
    echo "$work/own/$i/Dockerfile"
done <"$work/corpus-sample" >"$work/sample"
files=$(cat "$work/all")

# timed N CMD...: runs CMD N times (files as arguments, one process each
# time); prints "WALL_MS CPU_MS" of the median run
timed() {
    n=$1
    shift
    : >"$work/runs"
    i=0
    while [ $i -lt "$n" ]; do
        # shellcheck disable=SC2086
        /usr/bin/time -f '%e %U %S' -o "$work/t" "$@" $files >/dev/null 2>&1 || true
        # the last line: /usr/bin/time first notes a non-zero exit status
        awk 'END { printf "%.1f %.1f\n", $1 * 1000, ($2 + $3) * 1000 }' "$work/t" >>"$work/runs"
        i=$((i + 1))
    done
    sort -n "$work/runs" | awk '{ w[NR] = $1; c[NR] = $2 } END { m = int((NR + 1) / 2); print w[m], c[m] }'
}

# per_file CMD...: one process per sample file, the sample gone through
# $reps times (the times are counted in 10 ms steps); prints "WALL_MS
# CPU_MS" per file
reps=1
per_file() {
    i=0
    while [ $i -lt $reps ]; do cat "$work/sample"; i=$((i + 1)); done >"$work/sample-reps"
    /usr/bin/time -f '%e %U %S' -o "$work/t" sh -c \
        'while read -r f; do "$@" "$f" >/dev/null 2>&1; done <"$0"; true' "$work/sample-reps" "$@" || true
    awk -v n="$((npicked * reps))" 'END { printf "%.2f %.2f\n", $1 * 1000 / n, ($2 + $3) * 1000 / n }' "$work/t"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0fx", a / b }'; }

echo "== corpus: $nfiles files in $dir"
echo
echo "== findings per rule (kdoctor lint --statistics)"
# shellcheck disable=SC2086
"$kd" lint --no-config -q --statistics --failure-threshold none $files
# shellcheck disable=SC2086
echo "total: $("$kd" lint --no-config -f gnu --failure-threshold none $files | grep -c .) findings"
echo

"$kd" lint --no-config -q $files >/dev/null 2>&1 || true # warm-up
set -- $(timed "$runs" "$kd" lint --no-config -q --failure-threshold none)
kd_all_w=$1 kd_all_c=$2
echo "== kdoctor, one process for all $nfiles files, median of $runs runs: $kd_all_w ms wall, $kd_all_c ms CPU"
awk -v w="$kd_all_w" -v c="$kd_all_c" 'BEGIN {
    printf "target: under 100 ms: %s (wall), %s (CPU)\n", (w < 100 ? "met" : "NOT met"), (c < 100 ? "met" : "NOT met") }'
echo

echo "== one process per file (mean over $npicked files, each in a folder of its own): wall ms, CPU ms"
reps=10 # kdoctor and /bin/true take a few ms per file: 600 runs each
set -- $(per_file /bin/true); echo "process start (/bin/true): $1 $2"
set -- $(per_file "$kd" lint --no-config -q); kd1_w=$1 kd1_c=$2
echo "kdoctor:          $kd1_w $kd1_c"
cp "$work/sample" "$work/own-sample"
cp "$work/corpus-sample" "$work/sample"
set -- $(per_file "$kd" lint --no-config -q); kdc_w=$1 kdc_c=$2
set -- $(per_file "$kd" lint --no-config -q --ignore KD1103)
echo "  the same files in the $nfiles-file corpus folder: $kdc_w $kdc_c, of which KD1103's walk of that folder (once per process): $(awk -v a="$kdc_c" -v b="$2" 'BEGIN { printf "%.2f", a - b }') ms CPU"
cp "$work/own-sample" "$work/sample"
reps=1

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
set -- $(per_file "$dfl"); dfl1_w=$1 dfl1_c=$2
echo "dockerfilelint:   $dfl1_w $dfl1_c  ($("$dfl" --version 2>/dev/null | head -n 1))"
set -- $(per_file "$dfu" lint); dfu1_w=$1 dfu1_c=$2
echo "dockerfile-utils: $dfu1_w $dfu1_c  ($("$dfu" --version | head -n 1))"
echo "ratio per file, wall: dockerfilelint $(ratio "$dfl1_w" "$kd1_w"), dockerfile-utils $(ratio "$dfu1_w" "$kd1_w")"
echo "ratio per file, CPU:  dockerfilelint $(ratio "$dfl1_c" "$kd1_c"), dockerfile-utils $(ratio "$dfu1_c" "$kd1_c")"
echo "ratio per file, CPU, in the corpus folder: dockerfilelint $(ratio "$dfl1_c" "$kdc_c"), dockerfile-utils $(ratio "$dfu1_c" "$kdc_c")"
awk -v a="$dfl1_c" -v b="$dfu1_c" -v k="$kd1_c" -v c="$kdc_c" 'BEGIN {
    printf "target: at least 50x faster than either (CPU): %s in folders of their own, %s in the corpus folder\n",
        (a / k >= 50 && b / k >= 50 ? "met" : "NOT met"), (a / c >= 50 && b / c >= 50 ? "met" : "NOT met") }'
echo

echo "== one process for all $nfiles files (median of 3 runs): wall ms, CPU ms"
set -- $(timed 3 "$dfl"); dfla_w=$1 dfla_c=$2
set -- $(timed 3 env NODE_PATH="$peers/node_modules" node "$top/bench/dockerfile-utils-all.js"); dfua_w=$1 dfua_c=$2
echo "kdoctor:          $kd_all_w $kd_all_c"
echo "dockerfilelint:   $dfla_w $dfla_c"
echo "dockerfile-utils: $dfua_w $dfua_c  (its library in one node process)"
echo "ratio one process, wall: dockerfilelint $(ratio "$dfla_w" "$kd_all_w"), dockerfile-utils $(ratio "$dfua_w" "$kd_all_w")"
echo "ratio one process, CPU:  dockerfilelint $(ratio "$dfla_c" "$kd_all_c"), dockerfile-utils $(ratio "$dfua_c" "$kd_all_c")"
