#!/bin/sh
# A lying registry: tests/hostile/liar.py, a proxy on a free 127.0.0.1 port
# in front of a real docker-registry, answers 401/404/429/500/503, stalls,
# cuts a blob short, sends a blob whose digest does not match, an oversized
# manifest, redirects, or loops. Pulls go through out/fetch-tool (the
# registry client and store with a 50 ms first backoff) and one kdoctor
# build. What is transient is retried and the pull succeeds; the rest fails
# with a message naming what went wrong; a bad blob never enters the store,
# and the next pull or build succeeds.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostile/lib.sh"

needs_root_and docker-registry skopeo umoci python3 curl jq || exit 0

registry_start A || exit 1
busybox_rootfs "$TMP/rootfs" liar
oci_image "$TMP/layout" 1 "$TMP/rootfs" >/dev/null 2>&1 &&
    skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$TMP/layout:1" \
        "docker://$REG_A/busybox:1" >/dev/null 2>&1 || { not_ok "set-up: push the base"; exit 0; }

python3 "$top/tests/hostile/liar.py" "$REG_A" "$TMP/liar.port" "$TMP/liar.log" 2>"$TMP/liar.err" &
LIAR_PID=$!
trap 'kill $LIAR_PID 2>/dev/null; registry_stop_all; rm -rf "$TMP"' EXIT
trap 'kill $LIAR_PID 2>/dev/null; registry_stop_all; rm -rf "$TMP"; exit 1' HUP INT PIPE TERM
for _i in $(seq 1 100); do [ -s "$TMP/liar.port" ] && break; sleep 0.1; done
LIAR=127.0.0.1:$(cat "$TMP/liar.port" 2>/dev/null)
curl -sf "http://$LIAR/v2/" >/dev/null || { not_ok "set-up: the liar answers" "$(cat "$TMP/liar.err")"; exit 0; }

# lie FAULT MATCH COUNT [EXTRA]: the next COUNT requests matching MATCH get FAULT
lie() { curl -sf "http://$LIAR/_liar/set?fault=$1&match=$2&count=$3${4:+&$4}" >/dev/null; }
honest() { curl -sf "http://$LIAR/_liar/reset" >/dev/null; }
# lies_told FAULT: how many requests the liar answered with FAULT so far
lies_told() { grep -c " $1\$" "$TMP/liar.log" 2>/dev/null || true; }

# blobs_ok STORE: every blob in the store hashes to its name
blobs_ok() {
    for _b in "$1"/blobs/sha256/*; do
        [ -e "$_b" ] || continue
        [ "$(sha256sum <"$_b" | cut -c1-64)" = "$(basename "$_b")" ] || return 1
    done
}

n=0
# pull NAME: a pull through the liar into a fresh store $TMP/s-N
pull() {
    n=$((n + 1))
    S=$TMP/s-$n
    run "$FETCH_TOOL" pull "$S" "$LIAR/busybox:1"
}

# ---- transient: retried (or followed), then the pull succeeds ----
transient() { # NAME FAULT MATCH COUNT [EXTRA]
    before=$(lies_told "$2")
    lie "$2" "$3" "$4" "${5:-}"
    pull
    told=$(($(lies_told "$2") - before))
    if [ "$status" = 0 ] && [ "$told" -ge 1 ] && blobs_ok "$S" && grep -q '^manifest sha256:' "$TMP/out"; then
        ok "$1: the pull succeeds ($told lies told)"
    else
        not_ok "$1: the pull succeeds" "status $status, $told lies told" \
            "$(head -c 500 "$TMP/err")"
    fi
    honest
}
transient "HTTP 500 on the manifest, twice" status /manifests/ 2 code=500
transient "HTTP 503 on a blob, twice" status /blobs/ 2 code=503
transient "HTTP 429 with Retry-After, twice" status /manifests/ 2 code=429
transient "a blob cut short" short /blobs/ 1
if sed -n '/ short$/,$p' "$TMP/liar.log" | grep -q ' 206 -$'; then ok "a blob cut short: resumed with a range request"; else
    not_ok "a blob cut short: resumed with a range request" "$(cat "$TMP/liar.log")"
fi
transient "a blob stalled for 2 s" stall /blobs/ 1 secs=2
transient "a redirect of every blob to the registry" redirect /blobs/ -1

# ---- the rest: a clear failure, nothing stored ----
fails() { # NAME PATTERN FAULT MATCH COUNT [EXTRA]
    lie "$3" "$4" "$5" "${6:-}"
    pull
    echo "# $1: $(grep -v '^log:' "$TMP/err" | head -n 1)"
    if [ "$status" != 0 ] && grep -Eq -- "$2" "$TMP/err" && blobs_ok "$S" &&
        [ -z "$(find "$S/tmp" -mindepth 1 2>/dev/null | head -n 1)" ]; then
        ok "$1: fails clearly, nothing bad or half stored"
    else
        not_ok "$1: fails clearly, nothing bad or half stored" "status $status" \
            "$(head -c 500 "$TMP/err")" "$(ls -R "$S" 2>/dev/null | head -n 20)"
    fi
    honest
}
before=$(lies_told status)
fails "HTTP 404 on the manifest" 'HTTP 404' status /manifests/ 1 code=404
if [ "$(($(lies_told status) - before))" = 1 ]; then ok "HTTP 404 is not retried"; else
    not_ok "HTTP 404 is not retried" "$(tail -n 5 "$TMP/liar.log")"
fi
fails "HTTP 401 with no credentials" '401|credentials|unauthorized' status /manifests/ -1 code=401
before=$(lies_told status)
fails "HTTP 500 every time" 'HTTP 500' status /blobs/ -1 code=500
# fetch-tool keeps the default of 4 retries: 5 requests per blob
told=$(($(lies_told status) - before))
if [ "$told" -ge 5 ] && [ $((told % 5)) = 0 ]; then ok "HTTP 500 every time: 4 retries per blob"; else
    not_ok "HTTP 500 every time: 4 retries per blob" "$told requests answered 500"
fi
fails "a manifest of 5 MiB" 'larger than 4194304 bytes' huge /manifests/ 1
fails "a redirect loop" 'redirect|HTTP 307' loop /blobs/ -1
fails "a blob whose digest does not match" 'does not match' baddigest /blobs/ -1
bad_store=$S
layer=$(jq -r '.layers[0].digest' "$TMP/layout/blobs/sha256/$(jq -r '.manifests[0].digest' \
    "$TMP/layout/index.json" | cut -d: -f2)")
if [ ! -e "$bad_store/blobs/sha256/${layer#sha256:}" ] &&
    [ -z "$(ls "$bad_store/layers/sha256" 2>/dev/null)" ]; then
    ok "the bad blob is not in the store, nor any layer unpacked from it"
else
    not_ok "the bad blob is not in the store, nor any layer unpacked from it" "$(ls -R "$bad_store")"
fi
run "$FETCH_TOOL" pull "$bad_store" "$LIAR/busybox:1"
if [ "$status" = 0 ] && blobs_ok "$bad_store"; then ok "the next pull into that store succeeds"; else
    not_ok "the next pull into that store succeeds" "$(head -c 400 "$TMP/err")"
fi

# ---- kdoctor build through the liar ----
store=$TMP/bstore
mkdir -p "$TMP/ctx"
printf 'FROM %s/busybox:1\nRUN cat /etc/mark\n' "$LIAR" >"$TMP/ctx/Dockerfile"
lie baddigest /blobs/ -1
run "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/ctx"
honest
if [ "$status" = 1 ] && grep -q 'Dockerfile:1: FROM' "$TMP/err" && grep -q 'does not match' "$TMP/err" &&
    blobs_ok "$store"; then
    ok "build: a bad blob fails FROM naming the line, nothing bad stored"
else
    not_ok "build: a bad blob fails FROM naming the line, nothing bad stored" "status $status" \
        "$(tail -c 500 "$TMP/err")"
fi
store_clean "build after a bad blob" "$store"
lie status /blobs/ 2 code=503
run "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/ctx"
honest
if [ "$status" = 0 ] && grep -q ' liar$' "$TMP/err" && blobs_ok "$store"; then
    ok "build: the next build on the same store succeeds (through two 503s)"
else
    not_ok "build: the next build on the same store succeeds (through two 503s)" "status $status" \
        "$(tail -c 500 "$TMP/err")"
fi
echo "# liar: $(wc -l <"$TMP/liar.log") requests answered, $(grep -vc ' -$' "$TMP/liar.log") of them lies"
