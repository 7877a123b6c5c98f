#!/bin/sh
# Hostile inputs end to end: layers (layers.sh), build contexts
# (context.sh), a lying registry (registry.sh), kill -9 (kill.sh) and the
# isolation of RUN (isolation.sh). Each part has its own $TMP (and
# registry); see their headers. The slow cases are in tests/long.
dir=$(cd "$(dirname "$0")" && pwd)
rc=0
for part in layers context registry kill isolation; do
    sh "$dir/$part.sh" || rc=1
done
exit $rc
