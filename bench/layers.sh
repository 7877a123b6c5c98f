#!/bin/sh
# Layer extraction and writing speed: kdoctor's layer I/O (build/layer.h via
# out/layer-tool) against GNU tar + gzip, bsdtar, and libarchive used the
# plain way (zlib filter + archive_read_extract), on a "fat" layer of real
# files (~300 MB in ~30,000 files copied from /usr, mixed sizes).
# Prints MB/s (of the uncompressed tar) and ratios; best of RUNS runs each.
# The data is made once into $KD_BENCH_DIR (default /tmp/kd-bench-layers)
# and reused; delete that folder to make it again. Run as root (owners).
# KD_BENCH_XDIR (default $KD_BENCH_DIR/x) is where extractions go: point it
# at a tmpfs (/dev/shm/kd-x) to time the CPU side without the disk's noise.
# KD_BENCH_ONLY=extract or write runs one half.
# Usage: bench/layers.sh [LAYER_TOOL]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
lt=${1:-$top/out/layer-tool}
dir=${KD_BENCH_DIR:-/tmp/kd-bench-layers}
runs=${RUNS:-3}
x=${KD_BENCH_XDIR:-$dir/x}
only=${KD_BENCH_ONLY:-}
mb=${BENCH_MB:-300}
[ -x "$lt" ] || { echo "bench/layers.sh: no $lt (run make)" >&2; exit 2; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }

# ---- data, made once ----
if [ ! -f "$dir/.done" ]; then
    echo "making the bench data in $dir (once)..."
    rm -rf "$dir"
    mkdir -p "$dir/tree"
    find /usr/share /usr/lib /usr/bin -xdev -type f -size -16M -printf '%s %p\n' 2>/dev/null |
        awk -v max=$((mb * 1000000)) '{ if (sum >= max) exit; sum += $1; sub(/^[0-9]+ /, ""); print }' \
            >"$dir/list"
    tar -cf - -T "$dir/list" 2>/dev/null | tar -xf - -C "$dir/tree"
    tar -cf "$dir/layer.tar" -C "$dir/tree" .
    gzip -c "$dir/layer.tar" >"$dir/layer.tgz"
    touch "$dir/.done"
fi
files=$(find "$dir/tree" -type f | wc -l)
tarbytes=$(wc -c <"$dir/layer.tar")
gzbytes=$(wc -c <"$dir/layer.tgz")
printf 'layer: %d files, tar %.1f MB, gzip -6 %.1f MB\n' "$files" \
    "$(calc "$tarbytes / 1000000")" "$(calc "$gzbytes / 1000000")"

# Each case is run once per round, rounds interleaved, and its best time
# kept: on a shared machine, load then falls on every case alike. Each run
# gets an empty $x and a synced page cache (not timed).
ext_cases="kd_pull kd_push kd_1cpu gnu_xzf bsdtar naive kd_plain gnu_xf gunzip"
wr_cases="kd_write kd_plain_write gnu_czf gnu_gzip1 gnu_cf"
command -v bsdtar >/dev/null 2>&1 || ext_cases=$(echo "$ext_cases" | sed 's/bsdtar //')

label() {
    case $1 in
    kd_pull) echo "kdoctor (pull, gzip)" ;;
    kd_push) echo "kdoctor (push, random chunks)" ;;
    kd_1cpu) echo "kdoctor (pull, pinned to one core)" ;;
    gnu_xzf) echo "GNU tar -xzf" ;;
    bsdtar) echo "bsdtar -xpf" ;;
    naive) echo "libarchive default (zlib)" ;;
    kd_plain) echo "kdoctor (plain tar)" ;;
    gnu_xf) echo "GNU tar -xf (plain tar)" ;;
    gunzip) echo "gunzip only (gzip -dc)" ;;
    kd_write) echo "kdoctor write (igzip level 1)" ;;
    kd_plain_write) echo "kdoctor write --plain" ;;
    gnu_czf) echo "GNU tar -czf (gzip -6)" ;;
    gnu_gzip1) echo "GNU tar -cf | gzip -1" ;;
    gnu_cf) echo "GNU tar -cf (plain)" ;;
    esac
}

run_case() {
    case $1 in
    kd_pull) "$lt" extract "$dir/layer.tgz" "$x" ;;
    kd_push) "$lt" push "$dir/layer.tgz" "$x" ;;
    kd_1cpu) taskset -c 0 "$lt" extract "$dir/layer.tgz" "$x" ;;
    gnu_xzf) tar -xzf "$dir/layer.tgz" -C "$x" ;;
    bsdtar) bsdtar -xpf "$dir/layer.tgz" -C "$x" ;;
    naive) "$lt" naive "$dir/layer.tgz" "$x" ;;
    kd_plain) "$lt" extract "$dir/layer.tar" "$x" ;;
    gnu_xf) tar -xf "$dir/layer.tar" -C "$x" ;;
    gunzip) gzip -dc "$dir/layer.tgz" >/dev/null ;;
    kd_write) "$lt" write "$dir/tree" "$dir/out" ;;
    kd_plain_write) "$lt" write "$dir/tree" "$dir/out" --plain ;;
    gnu_czf) tar -czf "$dir/out" -C "$dir/tree" . ;;
    gnu_gzip1) tar -cf - -C "$dir/tree" . | gzip -1 >"$dir/out" ;;
    gnu_cf) tar -cf "$dir/out" -C "$dir/tree" . ;;
    esac
}

rounds() { # CASES...
    r=0
    while [ $r -lt "$runs" ]; do
        for c in "$@"; do
            rm -rf "$x" "$dir/out"
            mkdir "$x"
            sync
            t0=$(date +%s%N)
            run_case "$c" >/dev/null 2>&1 || { echo "bench/layers.sh: $c failed" >&2; exit 1; }
            t1=$(date +%s%N)
            ms=$(((t1 - t0) / 1000000))
            eval "b=\${best_$c:-}"
            if [ -z "$b" ] || [ "$ms" -lt "$b" ]; then eval "best_$c=$ms"; fi
            [ -f "$dir/out" ] && eval "out_$c=$(wc -c <"$dir/out")"
        done
        r=$((r + 1))
    done
}

report() { # CASES...
    for c in "$@"; do
        eval "b=\$best_$c; o=\${out_$c:-0}"
        printf '  %-34s %7d ms  %7.1f MB/s' "$(label "$c")" "$b" "$(calc "$tarbytes / $b / 1000")"
        [ "$o" -gt 0 ] && printf '  out %.1f MB' "$(calc "$o / 1000000")"
        echo
    done
}
ratio() { # TEXT CASE_A CASE_B: time of A / time of B
    eval "a=\$best_$2; b=\$best_$3"
    printf '  %-56s %5.2fx\n' "$1" "$(calc "$a / $b")"
}

if [ "$only" != write ]; then
    echo "extract into $x (MB/s of uncompressed tar; best of $runs interleaved rounds):"
    rounds $ext_cases
    report $ext_cases
fi
if [ "$only" != extract ]; then
    echo "write (MB/s of uncompressed tar; best of $runs interleaved rounds):"
    rounds $wr_cases
    report $wr_cases
fi
rm -rf "$x" "$dir/out"

echo "ratios (time of the other / time of kdoctor; >1 means kdoctor is faster):"
[ "$only" = write ] || {
ratio "extract: GNU tar -xzf / kdoctor" gnu_xzf kd_pull
[ -n "${best_bsdtar:-}" ] && ratio "extract: bsdtar / kdoctor" bsdtar kd_pull
ratio "extract: libarchive default (zlib) / kdoctor" naive kd_pull
ratio "extract: kdoctor push / kdoctor pull" kd_push kd_pull
ratio "extract: kdoctor on one core / on two (the pipeline's gain)" kd_1cpu kd_pull
ratio "extract: kdoctor gzip / kdoctor plain tar (inflate's share)" kd_pull kd_plain
}
[ "$only" = extract ] && exit 0

# the measurement behind the writer's compressor (docs/layers.md)
cc -O2 -o "$dir/compress" "$top/bench/compress.c" -lisal -ldeflate
echo "compressors on the layer tar, in memory, one core:"
"$dir/compress" "$dir/layer.tar"
ratio "write: GNU tar -czf / kdoctor" gnu_czf kd_write
ratio "write: tar | gzip -1 / kdoctor" gnu_gzip1 kd_write
ratio "write: GNU tar -cf / kdoctor --plain" gnu_cf kd_plain_write
