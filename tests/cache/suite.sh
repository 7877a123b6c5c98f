#!/bin/sh
# The build cache's suites: the local layer cache (local.sh), reproducible
# digests on clean stores (reproducible.sh), `kdoctor cache` (cmd.sh), the
# cache in a registry (repo.sh), and across two network namespaces as two
# hosts (hosts.sh). Each prints ok/not ok lines.
dir=$(dirname "$0")
status=0
for s in local reproducible cmd repo hosts; do
    [ -f "$dir/$s.sh" ] || continue
    sh "$dir/$s.sh" || status=1
done
exit $status
