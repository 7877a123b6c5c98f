#!/bin/sh
# kdoctor compare with a base image from a registry (Debian's
# docker-registry on 127.0.0.1, the base pushed with skopeo) that the
# user's store does not have: the first build pulls it and the measured
# cold builds reuse its blobs (no pull phase); with --cold-pull every cold
# build pulls it again. The user's store gains nothing either way.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
. "$top/tests/lib/registry.sh"
. "$top/tests/build/lib.sh"

need_root "compare with a registry base" "namespaces, overlayfs"
need_tools "compare with a registry base" "" docker-registry skopeo umoci jq
if ! registry_start main; then
    not_ok "compare: the registry starts"
    exit 0
fi
R=$REG_main
store=$TMP/store
# the sandbox's own temp dirs land here, away from other kdoctors' (and
# the leak checks see them)
export TMPDIR="$TMP/tmpdir"
mkdir -p "$TMPDIR"
busybox_layout "$TMP/base"
if ! skopeo copy --dest-tls-verify=false "oci:$TMP/base:1" "docker://$R/kdtest/busybox:1" \
    >/dev/null 2>&1; then
    not_ok "compare: skopeo pushes the base image"
    exit 0
fi
mkdir -p "$TMP/ctx"
printf 'FROM %s/kdtest/busybox:1\nRUN echo a > /a\nRUN echo b > /b\n' "$R" >"$TMP/ctx/Dockerfile"

jq_true() {
    if jq -e "$2" "$TMP/r.json" >/dev/null 2>&1; then ok "$1"; else
        not_ok "$1" "jq: $2" "$(jq -c '.variants[0].phases' "$TMP/r.json" 2>&1 | head -c 400)"
    fi
}
store_is_empty() {
    left=$(find "$store/tmp" "$store/blobs" "$store/layers" -mindepth 1 ! -type d 2>/dev/null | head -n 5)
    if [ -z "$left" ] && ! grep -q kdtest "$store/images.json" 2>/dev/null; then
        ok "$1: the user's store gains nothing"
    else
        not_ok "$1: the user's store gains nothing" "$left"
    fi
}

run "$KDOCTOR" compare --runs 2 --no-tui --json "$TMP/r.json" --cache-dir "$store" "$TMP/ctx"
if [ "$status" = 0 ]; then ok "compare on a registry base exits 0"; else
    not_ok "compare on a registry base exits 0" "status $status" "$(tail -n 5 "$TMP/err")"
fi
jq_true "measured cold builds reuse the pulled blobs: no pull" \
    '.variants[0].total.cold.runs == 2 and .variants[0].phases.cold.pull == null and
     .variants[0].phases.cold.unpack.runs == 2'
store_is_empty "compare"

run "$KDOCTOR" compare --cold-pull --runs 2 --no-tui --json "$TMP/r.json" --cache-dir "$store" \
    "$TMP/ctx"
if [ "$status" = 0 ]; then ok "compare --cold-pull exits 0"; else
    not_ok "compare --cold-pull exits 0" "status $status" "$(tail -n 5 "$TMP/err")"
fi
jq_true "--cold-pull: every cold build pulls" \
    '.cold_pull == true and .variants[0].phases.cold.pull.runs == 2'
store_is_empty "compare --cold-pull"
