#!/bin/sh
# `make demo`: kdoctor's main jobs on the bundled examples: the parse, the
# linter and what `lint --fix` would change on examples/node-app, then a
# real build of examples/hello on a base image made locally from
# busybox-static with `kdoctor import` (no registry, no network), and last
# `kdoctor compare` of examples/cache-costs as written against its fixes.
set -eu
kd=${1:-out/kdoctor}
example=examples/node-app/Dockerfile
echo "== kdoctor parse $example"
"$kd" parse "$example"
echo
echo "== kdoctor parse --dump $example  (BuildKit's own parse format)"
"$kd" parse --dump "$example"
echo
echo "== kdoctor lint $example"
# lint exits 1 when it finds something, which is the point of the demo;
# only a real error (status 2 or more) fails it
status=0
"$kd" lint "$example" || status=$?
if [ "$status" -gt 1 ]; then
    echo "demo: kdoctor lint failed with status $status" >&2
    exit "$status"
fi
echo
echo "== kdoctor lint --statistics --format gnu $example"
"$kd" lint --statistics --format gnu "$example" || [ $? -eq 1 ]
echo
echo "== kdoctor lint --diff $example  (what --fix would change; nothing is written)"
"$kd" lint --diff "$example" || [ $? -eq 1 ]
echo
echo "== kdoctor explain KD1102"
"$kd" explain KD1102

echo
if [ "$(id -u)" != 0 ]; then
    echo "== kdoctor build: skipped (it needs root for namespaces and overlayfs)"
    exit 0
fi
busybox=/bin/busybox
if [ ! -x "$busybox" ]; then
    echo "== kdoctor build: skipped ($busybox is missing: apt-get install busybox-static)"
    exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/kdoctor-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
store=$work/store

# a root file system: busybox and its applets, a passwd and a group
root=$work/rootfs
scripts/busybox-rootfs.sh "$root"

echo "== kdoctor import $root -t kdoctor-demo/busybox:1  (a base image, no registry)"
"$kd" import "$root" -t kdoctor-demo/busybox:1 --cache-dir "$store"
echo
echo "== kdoctor build -t hello:1 --timings timings.json examples/hello"
"$kd" build --progress plain --cache-dir "$store" -t hello:1 --timings "$work/timings.json" \
    examples/hello
echo
echo "== the same build again: the base is unpacked in the store already"
"$kd" build --progress plain --cache-dir "$store" -t hello:1 examples/hello 2>&1 |
    grep -E '^#[0-9]+ \[|^built'
echo
echo "== kdoctor images"
"$kd" images --cache-dir "$store"
echo
echo "== where the time went (from timings.json, see docs/timings.md)"
# the per-step lines of the JSON, without needing jq
tr -d '\t' <"$work/timings.json" | awk -F'":' 'BEGIN { t = "-" }
    /^"text"/ { t = substr($0, 9); sub(/",$/, "", t); gsub(/\\"/, "\"", t) }
    /^"total_ms"/ && t != "-" {
        v = $2; sub(/,$/, "", v)
        printf "  %8.1f ms  %s\n", v, t
        t = "-"
    }'

example=examples/cache-costs
echo
echo "== kdoctor lint --diff $example/Dockerfile  (what --fix changes)"
"$kd" lint --diff "$example/Dockerfile" || [ $? -eq 1 ]
echo
echo "== kdoctor compare $example  (as written against its fixes, built here twice each)"
# the terminal UI on a terminal (q quits it), else the text tables
ui=--no-tui
if [ -t 1 ] && [ -t 0 ]; then
    ui=
    echo "(the report opens in the terminal UI: ? shows the keys, q quits)"
fi
"$kd" compare --runs 2 $ui --cache-dir "$store" "$example"
