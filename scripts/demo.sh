#!/bin/sh
# `make demo`: kdoctor's main job on the bundled example: the parse, the
# linter and what `lint --fix` would change (the build comparison joins
# when it lands).
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
