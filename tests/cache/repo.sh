#!/bin/sh
# The layer cache in a registry (--cache-repo): store A builds and fills the
# cache repo; store B, empty, rebuilds and every step hits, with the same
# digest and no layer uploaded twice (the registry's access log says so);
# --no-push works; a read-only registry still serves the cache (one warning
# when pushing is refused); --cache-ttl ages entries out; 8 builds at once
# on one store and one cache repo agree.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
. "$top/tests/build/lib.sh"
trap 'stop_registry; rm -rf "$TMP"' EXIT
trap 'stop_registry; rm -rf "$TMP"; exit 1' INT TERM

need_root cache-repo "namespaces, overlayfs"
need_tools cache-repo "" docker-registry skopeo umoci
if ! REG_ACCESS_LOG=1 start_registry; then
    not_ok "cache-repo: the registry starts"
    exit 0
fi
busybox_layout "$TMP/base"
skopeo copy --dest-tls-verify=false "oci:$TMP/base:1" "docker://$REG/kdtest/base:1" >/dev/null 2>&1 ||
    not_ok "cache-repo: skopeo pushes the base"

export SOURCE_DATE_EPOCH=1700000000
ctx=$TMP/ctx
mkdir -p "$ctx"
printf 'payload\n' >"$ctx/payload.txt"
cat >"$ctx/Dockerfile" <<EOF
FROM $REG/kdtest/base:1 AS build
RUN head -c 300000 /dev/urandom > /random && echo one > /one
COPY payload.txt /payload.txt
WORKDIR /work

FROM $REG/kdtest/base:1
COPY --from=build /random /payload.txt /app/
RUN cat /app/payload.txt > /app/copy
EOF
CR=$REG/kdtest/cache

# build STORE NAME [ARGS...]: steps as C (cached) / R (ran) in $steps
build() {
    _s=$1 _n=$2
    shift 2
    run "$KDOCTOR" build --progress plain --cache-dir "$TMP/$_s" --cache-repo "$CR" "$@" "$ctx"
    cp "$TMP/err" "$TMP/$_n.err"
    digest=$(cat "$TMP/out")
    steps=$(awk '/^#[0-9]+ \[.*\] (RUN|COPY|ADD|WORKDIR)/ { want = $1; next }
         want != "" && $1 == want && ($2 == "CACHED" || $2 == "DONE") {
             printf "%s", ($2 == "CACHED" ? "C" : "R"); want = "" }' "$TMP/err")
}
expect_steps() {
    if [ "$steps" = "$2" ]; then ok "$1: steps $2 (C cached, R ran)"; else
        not_ok "$1: steps $2 (C cached, R ran)" "got $steps" "$(tail -n 12 "$TMP/err")"
    fi
}

build A a -t "$REG/kdtest/app:1" --push
a=$digest
expect_steps "store A" RRRRR
expect_grep "store A: fills the cache repo" err 'cache repo .*: 5 entries pushed, 5 layers uploaded'

build B b -t "$REG/kdtest/app:1" --push
expect_steps "store B, empty" CCCCC
if [ -n "$a" ] && [ "$digest" = "$a" ]; then ok "store B: the same digest"; else
    not_ok "store B: the same digest" "$a" "$digest"
fi
n=$(find "$TMP/B/layers/sha256" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)
if [ "$n" = 0 ] && ! grep -q "pulling" "$TMP/b.err"; then
    ok "store B, push only: the base's layers are not pulled, nothing is unpacked"
else
    not_ok "store B, push only: the base's layers are not pulled, nothing is unpacked" \
        "$n layers unpacked" "$(grep pulling "$TMP/b.err")"
fi
if ! grep -q 'cache repo .* pushed' "$TMP/b.err"; then ok "store B: pushes no entry back"; else
    not_ok "store B: pushes no entry back" "$(grep 'cache repo' "$TMP/b.err")"
fi
# every upload that completed (PUT .../blobs/uploads/...?digest=), per digest
twice=$(grep -o 'PUT /v2/[^ ]*/blobs/uploads/[^ ]*digest=sha256[:%3A]*[0-9a-f]*' "$TMP/registry.log" |
    sed 's/.*digest=sha256[:%3A]*//' | sort | uniq -d)
uploads=$(grep -c 'PUT /v2/[^ ]*/blobs/uploads/' "$TMP/registry.log")
if [ "$uploads" -gt 0 ] && [ -z "$twice" ]; then ok "no blob uploaded twice ($uploads uploads)"; else
    not_ok "no blob uploaded twice ($uploads uploads)" "twice: $twice"
fi

build C c -t kdtest/app:local --no-push
expect_steps "--no-push on an empty store" CCCCC
run "$KDOCTOR" images --cache-dir "$TMP/C"
expect_grep "--no-push: the image is in the store" out 'kdtest/app:local'
# the local store must hold the whole image: the base is pulled for it (its
# one layer extracted while it downloads), but no step's layer is unpacked
n=$(find "$TMP/C/layers/sha256" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)
if [ "$n" = 1 ]; then ok "a build from the cache repo unpacks no step's layer"; else
    not_ok "a build from the cache repo unpacks no step's layer" "$n layers unpacked"
fi
# the next build on C is local: no registry needed for the steps
build C c2 --no-push
expect_steps "store C again" CCCCC

# a read-only registry on the same storage: reading works, pushing is
# refused with one warning, and the build still succeeds
stop_registry
if REG_READONLY=1 start_registry; then
    CR=$REG/kdtest/cache
    sed -i "s|[0-9.]*:[0-9]*/kdtest/base|$REG/kdtest/base|" "$ctx/Dockerfile"
    build D d --no-push
    expect_steps "read-only registry: all hits" CCCCC
    printf 'payload 2\n' >"$ctx/payload.txt"
    build D d2 --no-push
    nw=$(grep -c 'cache repo .*: push' "$TMP/d2.err")
    if [ "$status" = 0 ] && [ "$nw" = 1 ]; then ok "read-only registry: one warning, the build succeeds"; else
        not_ok "read-only registry: one warning, the build succeeds" "status $status, $nw warnings" \
            "$(tail -n 5 "$TMP/d2.err")"
    fi
    printf 'payload\n' >"$ctx/payload.txt"
    stop_registry
else
    not_ok "cache-repo: the read-only registry starts"
fi

if REG_ACCESS_LOG=1 start_registry; then
    CR=$REG/kdtest/cache
    sed -i "s|[0-9.]*:[0-9]*/kdtest/base|$REG/kdtest/base|" "$ctx/Dockerfile"
    sleep 10 # the entries are 10 s old at least
    build E e --no-push --cache-ttl 1s
    expect_steps "--cache-ttl 1s: old entries miss" RRRRR
    # the steps that ran pushed their entries anew: younger than 5 s, where
    # the first ones are older than 10 s
    build F f --no-push --cache-ttl 5s
    expect_steps "--cache-ttl 5s: the entries pushed again hit" CCCCC
    expect_status "--cache-ttl abc: a usage error" 2 \
        "$KDOCTOR" build --cache-ttl abc --cache-dir "$TMP/F" "$ctx"

    # 8 builds at once, one store, one cache repo, all cold for the last step
    printf 'RUN wc -c /app/copy > /app/size\n' >>"$ctx/Dockerfile"
    pids=
    for i in 1 2 3 4 5 6 7 8; do
        "$KDOCTOR" build --progress plain --cache-dir "$TMP/G" --cache-repo "$CR" --no-push "$ctx" \
            >"$TMP/g$i.out" 2>"$TMP/g$i.err" &
        pids="$pids $!"
    done
    fails=0
    for p in $pids; do wait "$p" || fails=$((fails + 1)); done
    nd=$(cat "$TMP"/g?.out | sort -u | wc -l)
    if [ "$fails" = 0 ] && [ "$nd" = 1 ]; then ok "8 builds at once on one store and cache repo: one digest"; else
        bad=$(grep -L '^built' "$TMP"/g?.err | head -n 1)
        not_ok "8 builds at once on one store and cache repo: one digest" "$fails failed, $nd digests" \
            "$(tail -n 3 "${bad:-$TMP/g1.err}")"
    fi
    build H h --no-push
    expect_steps "after them, an empty store hits every step" CCCCCC
else
    not_ok "cache-repo: the registry restarts"
fi
exit 0
