#!/bin/sh
# Two machines and a registry, played out with network namespaces: "host"
# A and B each have their own namespace (and their own empty store), the
# registry runs in a third, joined by a bridge there; nothing else is
# reachable. A builds and fills the cache repo; B, with an empty store,
# rebuilds: every step hits, the digest is the same, and B uploads no blob
# (the registry's access log, by client address).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
. "$top/tests/build/lib.sh"

need_root cache-hosts "network namespaces"
need_tools cache-hosts "" docker-registry skopeo umoci ip
id=$$
NR=kdreg$id NA=kda$id NB=kdb$id
REGPID=
cleanup() {
    [ -n "$REGPID" ] && kill "$REGPID" 2>/dev/null && wait "$REGPID" 2>/dev/null
    for n in $NR $NA $NB; do ip netns del "$n" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'cleanup; exit 1' INT TERM

# the network: a bridge in the registry's namespace, one veth per host
setup_net() {
    ip netns add $NR && ip netns add $NA && ip netns add $NB || return 1
    ip -n $NR link add br0 type bridge && ip -n $NR link set br0 up &&
        ip -n $NR addr add 10.231.0.1/24 dev br0 && ip -n $NR link set lo up || return 1
    i=2
    for h in $NA $NB; do
        ip link add "kdv$i$id" type veth peer name eth0 netns "$h" || return 1
        ip link set "kdv$i$id" netns $NR &&
            ip -n $NR link set "kdv$i$id" master br0 && ip -n $NR link set "kdv$i$id" up &&
            ip -n "$h" addr add "10.231.0.$i/24" dev eth0 && ip -n "$h" link set eth0 up &&
            ip -n "$h" link set lo up || return 1
        i=$((i + 1))
    done
}
if ! setup_net; then
    skip cache-hosts "cannot create network namespaces here"
    exit 0
fi
R=10.231.0.1:5000
mkdir -p "$TMP/registry"
cat >"$TMP/registry.yml" <<EOF
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $TMP/registry}, delete: {enabled: true}}
http: {addr: "$R"}
EOF
ip netns exec $NR docker-registry serve "$TMP/registry.yml" >"$TMP/registry.log" 2>&1 &
REGPID=$!
up=no
for i in $(seq 1 50); do
    if ip netns exec $NA curl -sf "http://$R/v2/" >/dev/null 2>&1; then up=yes; break; fi
    sleep 0.1
done
if [ "$up" = yes ]; then ok "hosts: A reaches the registry in its namespace"; else
    not_ok "hosts: A reaches the registry in its namespace" "$(tail -n 3 "$TMP/registry.log")"
    exit 0
fi
if ! ip netns exec $NB curl -sf -m 2 "http://127.0.0.1:5000/v2/" >/dev/null 2>&1; then
    ok "hosts: B has no registry of its own"
else
    not_ok "hosts: B has no registry of its own"
fi

busybox_layout "$TMP/base"
ip netns exec $NA skopeo copy --dest-tls-verify=false "oci:$TMP/base:1" \
    "docker://$R/kdtest/base:1" >/dev/null 2>&1 || not_ok "hosts: skopeo pushes the base from A"

export SOURCE_DATE_EPOCH=1700000000
mkdir -p "$TMP/ctx"
printf 'source\n' >"$TMP/ctx/app.txt"
cat >"$TMP/ctx/Dockerfile" <<EOF
FROM $R/kdtest/base:1 AS build
RUN head -c 200000 /dev/urandom > /blob && echo built > /built
COPY app.txt /app.txt

FROM $R/kdtest/base:1
COPY --from=build /blob /built /app.txt /srv/
RUN ls /srv > /srv/list
EOF

# on HOST STORE NAME: a build there, pushing the image and filling the cache
on() {
    _h=$1 _s=$2 _n=$3
    ip netns exec "$_h" "$KDOCTOR" build --progress plain --cache-dir "$TMP/$_s" \
        --insecure-registry "$R" --cache-repo "$R/kdtest/cache" -t "$R/kdtest/app:1" --push \
        "$TMP/ctx" >"$TMP/$_n.out" 2>"$TMP/$_n.err"
    status=$?
    digest=$(cat "$TMP/$_n.out")
    steps=$(awk '/^#[0-9]+ \[.*\] (RUN|COPY|ADD|WORKDIR)/ { want = $1; next }
         want != "" && $1 == want && ($2 == "CACHED" || $2 == "DONE") {
             printf "%s", ($2 == "CACHED" ? "C" : "R"); want = "" }' "$TMP/$_n.err")
}
on $NA A a
da=$digest
if [ "$status" = 0 ] && [ "$steps" = RRRR ]; then ok "host A: builds, every step runs"; else
    not_ok "host A: builds, every step runs" "status $status, steps $steps" "$(tail -n 5 "$TMP/a.err")"
fi
on $NB B b
if [ "$status" = 0 ] && [ "$steps" = CCCC ]; then ok "host B, empty store: every step hits"; else
    not_ok "host B, empty store: every step hits" "status $status, steps $steps" \
        "$(tail -n 5 "$TMP/b.err")"
fi
if [ -n "$da" ] && [ "$digest" = "$da" ]; then ok "host B: the same digest as A"; else
    not_ok "host B: the same digest as A" "$da" "$digest"
fi
n=$(find "$TMP/B/layers/sha256" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l)
if [ "$n" = 0 ]; then ok "host B: pulls and unpacks no base layer"; else
    not_ok "host B: pulls and unpacks no base layer" "$n layers unpacked"
fi
fromb=$(grep -c '^10\.231\.0\.3 .*"PUT /v2/[^ ]*/blobs/uploads/' "$TMP/registry.log")
froma=$(grep -c '^10\.231\.0\.2 .*"PUT /v2/[^ ]*/blobs/uploads/' "$TMP/registry.log")
if [ "$froma" -gt 0 ] && [ "$fromb" = 0 ]; then
    ok "host B uploads no blob (A uploaded $froma)"
else
    not_ok "host B uploads no blob (A uploaded $froma)" "B uploaded $fromb"
fi
exit 0
