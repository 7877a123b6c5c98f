#!/bin/sh
# `make demo`: kdoctor's main job on the bundled example. For now that is
# the parse (the linter, the fixer and the build comparison join as they
# land).
set -eu
kd=${1:-out/kdoctor}
example=examples/node-app/Dockerfile
echo "== kdoctor parse $example"
"$kd" parse "$example"
echo
echo "== kdoctor parse --dump $example  (BuildKit's own parse format)"
"$kd" parse --dump "$example"
