#!/bin/sh
# The builder's suites: failures and interruptions (failures.sh), the
# registry end to end with real clients (e2e.sh), docker load and docker run
# of a --tar archive with a private dockerd (docker-load.sh), conformance with buildah
# on tests/build/cases (conformance.sh), the chroot fallback against the
# overlay on the same cases (chroot.sh), and lint --fix keeping what images
# hold (fix.sh). Each prints ok/not ok lines.
dir=$(dirname "$0")
status=0
for s in failures e2e docker-load conformance chroot fix; do
    [ -f "$dir/$s.sh" ] || continue
    sh "$dir/$s.sh" || status=1
done
exit $status
