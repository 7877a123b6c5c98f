#!/bin/sh
# Huge and slow inputs (make test-long):
# - 100,000 tiny files as a pulled base layer and as a build context
#   (COPY): the builds succeed and a RUN counts them all;
# - a blob that stalls for 75 s, past the client's 60 s low-speed limit:
#   the transfer is abandoned and retried, and the pull succeeds;
# - the hostile layers of tests/hostile/layers.sh with the import of the
#   10 GiB sparse file, which reads all of it (about 90 s).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostile/lib.sh"

needs_root_and docker-registry skopeo umoci python3 curl || exit 0
registry_start A || exit 1
busybox_rootfs "$TMP/rootfs" huge
L=$TMP/layout
oci_image "$L" 1 "$TMP/rootfs" >/dev/null 2>&1 || { not_ok "set-up: base image"; exit 0; }
store=$TMP/store

# ---- 100,000 tiny files ----
"$LAYER_TOOL" hostile many "$TMP/many.tar"
umoci raw add-layer --image "$L:1" --tag many "$TMP/many.tar" >/dev/null 2>&1 &&
    skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$L:many" \
        "docker://$REG_A/many:1" >/dev/null 2>&1 || not_ok "set-up: push the 100,000-file image"
mkdir -p "$TMP/ctx"
printf 'FROM %s/many:1\nRUN echo "files: $(busybox find / -xdev -type f | busybox wc -l)"\n' "$REG_A" \
    >"$TMP/ctx/Dockerfile"
run "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/ctx"
# the base's few files besides (busybox, /etc/mark, umoci's config files)
seen=$(sed -n 's/.* files: \([0-9]*\)$/\1/p' "$TMP/err")
if [ "$status" = 0 ] && [ "${seen:-0}" -ge 100000 ] && [ "$seen" -le 100010 ]; then
    ok "100,000 tiny files in a pulled layer: the RUN sees them all"
else
    not_ok "100,000 tiny files in a pulled layer: the RUN sees them all" "$(tail -c 400 "$TMP/err")"
fi
mkdir -p "$TMP/ctx/many"
tar -xf "$TMP/many.tar" -C "$TMP/ctx/many"
rm -f "$TMP/many.tar"
"$KDOCTOR" import "$TMP/rootfs" -t base:1 --cache-dir "$store" >/dev/null 2>&1
printf 'FROM base:1\nCOPY many /many\nRUN echo "files: $(busybox find /many -type f | busybox wc -l)"\n' \
    >"$TMP/ctx/Dockerfile"
run "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/ctx"
if [ "$status" = 0 ] && grep -q ' files: 100000$' "$TMP/err"; then
    ok "100,000 tiny files in the context: COPY copies them all"
else
    not_ok "100,000 tiny files in the context: COPY copies them all" "$(tail -c 400 "$TMP/err")"
fi
rm -rf "$TMP/ctx/many"
store_clean "100,000 tiny files" "$store"

# ---- a blob stalled past the low-speed limit ----
skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$L:1" "docker://$REG_A/busybox:1" \
    >/dev/null 2>&1
python3 "$top/tests/hostile/liar.py" "$REG_A" "$TMP/liar.port" "$TMP/liar.log" 2>"$TMP/liar.err" &
LIAR_PID=$!
trap 'kill $LIAR_PID 2>/dev/null; registry_stop_all; rm -rf "$TMP"' EXIT
for _i in $(seq 1 100); do [ -s "$TMP/liar.port" ] && break; sleep 0.1; done
LIAR=127.0.0.1:$(cat "$TMP/liar.port")
curl -sf "http://$LIAR/_liar/set?fault=stall&match=/blobs/&count=1&secs=75" >/dev/null
run "$FETCH_TOOL" pull "$TMP/s-stall" "$LIAR/busybox:1"
# (the liar logs the stalled request only when its 75 s are over)
if [ "$status" = 0 ] && grep -q 'failed (Timeout was reached); retrying' "$TMP/err"; then
    ok "a blob stalled for 75 s: abandoned, retried, the pull succeeds"
else
    not_ok "a blob stalled for 75 s: abandoned, retried, the pull succeeds" "status $status" \
        "$(head -c 500 "$TMP/err")" "$(cat "$TMP/liar.log")"
fi

# ---- hostile layers with the 10 GiB sparse import ----
KD_TESTS_LONG=1 sh "$top/tests/hostile/layers.sh" | grep 'special\|sparse'
