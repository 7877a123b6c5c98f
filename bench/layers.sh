#!/bin/sh
# Layer extraction and writing speed: kdoctor's layer I/O (build/layer.h via
# out/layer-tool) against GNU tar + gzip, bsdtar, and libarchive used the
# plain way (zlib filter + archive_read_extract), on a "fat" layer of real
# files (~300 MB in ~30,000 files copied from /usr, mixed sizes).
# Prints MB/s (of the uncompressed tar) and ratios; best of RUNS runs each.
# The data is made once into $KD_BENCH_DIR (default /tmp/kd-bench-layers)
# and reused; delete that folder to make it again. Run as root (owners).
# Usage: bench/layers.sh [LAYER_TOOL]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
lt=${1:-$top/out/layer-tool}
dir=${KD_BENCH_DIR:-/tmp/kd-bench-layers}
runs=${RUNS:-3}
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

# best NAME CMD...: best wall time in ms over $runs runs; each run gets an
# empty $dir/x and synced page cache (not timed)
best() {
    name=$1
    shift
    b=
    i=0
    while [ $i -lt "$runs" ]; do
        rm -rf "$dir/x" "$dir/out"
        mkdir "$dir/x"
        sync
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || { echo "bench/layers.sh: $name failed" >&2; exit 1; }
        t1=$(date +%s%N)
        ms=$(((t1 - t0) / 1000000))
        if [ -z "$b" ] || [ "$ms" -lt "$b" ]; then b=$ms; fi
        i=$((i + 1))
    done
    eval "ms_$(echo "$name" | tr -c 'a-z0-9\n' '_')=$b"
    outsize=$( [ -f "$dir/out" ] && wc -c <"$dir/out" || echo 0)
    if [ "$outsize" -gt 0 ]; then
        printf '  %-34s %7d ms  %7.1f MB/s  out %.1f MB\n' "$name" "$b" \
            "$(calc "$tarbytes / $b / 1000")" "$(calc "$outsize / 1000000")"
    else
        printf '  %-34s %7d ms  %7.1f MB/s\n' "$name" "$b" "$(calc "$tarbytes / $b / 1000")"
    fi
}
ratio() { printf '  %-56s %5.2fx\n' "$1" "$(calc "$2 / $3")"; }

echo "extract (MB/s of uncompressed tar; best of $runs):"
best "kdoctor (pull, gzip)" "$lt" extract "$dir/layer.tgz" "$dir/x"
best "kdoctor (push, random chunks)" "$lt" push "$dir/layer.tgz" "$dir/x"
best "GNU tar -xzf" tar -xzf "$dir/layer.tgz" -C "$dir/x"
if command -v bsdtar >/dev/null 2>&1; then
    best "bsdtar -xpf" bsdtar -xpf "$dir/layer.tgz" -C "$dir/x"
fi
best "libarchive default (zlib)" "$lt" naive "$dir/layer.tgz" "$dir/x"
best "kdoctor (plain tar)" "$lt" extract "$dir/layer.tar" "$dir/x"
best "GNU tar -xf (plain tar)" tar -xf "$dir/layer.tar" -C "$dir/x"
best "gunzip only (gzip -dc)" sh -c "gzip -dc '$dir/layer.tgz' >/dev/null"

echo "write (MB/s of uncompressed tar; best of $runs):"
best "kdoctor write (igzip level 1)" "$lt" write "$dir/tree" "$dir/out"
best "kdoctor write --plain" "$lt" write "$dir/tree" "$dir/out" --plain
best "GNU tar -czf (gzip -6)" tar -czf "$dir/out" -C "$dir/tree" .
best "GNU tar -cf | gzip -1" sh -c "tar -cf - -C '$dir/tree' . | gzip -1 >'$dir/out'"
best "GNU tar -cf (plain)" tar -cf "$dir/out" -C "$dir/tree" .
rm -rf "$dir/x" "$dir/out"

echo "ratios (time of the other / time of kdoctor; >1 means kdoctor is faster):"
ratio "extract: GNU tar -xzf / kdoctor" "$ms_gnu_tar__xzf" "$ms_kdoctor__pull__gzip_"
[ -n "${ms_bsdtar__xpf:-}" ] && ratio "extract: bsdtar / kdoctor" "$ms_bsdtar__xpf" "$ms_kdoctor__pull__gzip_"
ratio "extract: libarchive default / kdoctor" "$ms_libarchive_default__zlib_" "$ms_kdoctor__pull__gzip_"
ratio "extract: kdoctor push / kdoctor pull" "$ms_kdoctor__push__random_chunks_" "$ms_kdoctor__pull__gzip_"
ratio "extract: kdoctor gzip / kdoctor plain (inflate's cost)" "$ms_kdoctor__pull__gzip_" "$ms_kdoctor__plain_tar_"
ratio "write: GNU tar -czf / kdoctor" "$ms_gnu_tar__czf__gzip__6_" "$ms_kdoctor_write__igzip_level_1_"
ratio "write: tar | gzip -1 / kdoctor" "$ms_gnu_tar__cf___gzip__1" "$ms_kdoctor_write__igzip_level_1_"
ratio "write: GNU tar -cf / kdoctor --plain" "$ms_gnu_tar__cf__plain_" "$ms_kdoctor_write___plain"
