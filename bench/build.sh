#!/bin/sh
# bench/build.sh: kdoctor build against buildah bud and docker build
# (BuildKit), cold and warm, in the same run, on two bases from a local
# docker-registry: "tiny" (busybox-static) and "fat" (busybox + about 900 MB
# in about 30,000 synthetic files, in three layers). Workloads:
#   two-stage   the motivating case: stage 1 writes one file, stage 2
#               copies it (both stages FROM the base)
#   three-runs  three RUNs that each write a file
#   one-run     the same three commands in one merged RUN
# Also the floor: the time to just download and unpack the fat base once
# (curl | gzip -d | tar x per layer, layers in parallel).
#
# Cold: empty kdoctor store / buildah storage / docker images and build
# cache. Warm-local: the same command again on the same machine: kdoctor's
# layer cache (docs/cache.md), buildah --layers and BuildKit all answer from
# their local caches. Warm-repo: an empty store again, with a cache in a
# repository of the local registry that an earlier (untimed) build filled:
# what a fresh CI runner sees (kdoctor --cache-repo; buildah --cache-from
# and --cache-to; BuildKit is not measured in this mode, "-"). The base
# image is still pulled then (docs/cache.md).
#
# Each measurement is taken KD_BENCH_RUNS times (default 3), the builders
# taking turns, and the median is shown: on a shared machine single runs
# vary by tens of percent.
#
# Usage: bench/build.sh [KDOCTOR] [--quick]
#   --quick   a 90 MB fat base in 3,000 files, one run (to try the script)
# KD_BENCH_BASES (default "tiny fat") and KD_BENCH_WORKLOADS (default
# "two-stage three-runs one-run") choose a part of the table, e.g. the
# motivating case alone: KD_BENCH_BASES=fat KD_BENCH_WORKLOADS=two-stage.
# Environment: KD_BENCH_DIR (default /var/tmp/kdoctor-bench) keeps the
# generated bases between runs; KD_BENCH_NO_DOCKER=1 skips BuildKit. Needs
# root. Installs docker.io if it is missing (Debian package). Heavy: run it
# when the machine is quiet; everything runs under nice.
set -eu
kd=$(realpath "${1:-out/kdoctor}")
quick=
[ "${2:-}" = --quick ] || [ "${1:-}" = --quick ] && quick=1
[ "${1:-}" = --quick ] && kd=$(realpath out/kdoctor)
top=$(cd "$(dirname "$0")/.." && pwd)
W=${KD_BENCH_DIR:-/var/tmp/kdoctor-bench}
RUNS=${KD_BENCH_RUNS:-3}
BASES=${KD_BENCH_BASES:-tiny fat}
WORKLOADS=${KD_BENCH_WORKLOADS:-two-stage three-runs one-run}
if [ -n "$quick" ]; then
    FAT_FILES=3000 FAT_BYTES=90000000 W=$W-quick RUNS=1
else
    FAT_FILES=30000 FAT_BYTES=900000000
fi
[ "$(id -u)" = 0 ] || { echo "bench/build.sh needs root" >&2; exit 1; }
mkdir -p "$W"
D=$W/docker # dockerd's socket, data root and exec root
N="nice -n 10"
TMP=$(mktemp -d "$W/run.XXXXXX")
REG_PID= DOCKERD_PID=

# what a run leaves is state, not cache: only the generated bases are kept
cleanup() {
    bh_cleanup
    docker_stop
    rm -rf "$W/kd-store" "$W/buildah" "$D"
    if [ -n "$REG_PID" ]; then
        kill "$REG_PID" 2>/dev/null || true
        wait "$REG_PID" 2>/dev/null || true
    fi
    REG_PID=
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'cleanup; exit 1' INT TERM

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() {
    if [ -z "$1" ] || [ -z "$2" ] || [ "$1" = - ] || [ "$2" = - ]; then echo -; else
        awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'
    fi
}

# ---- bases --------------------------------------------------------------

make_bases() {
    [ -f "$W/bases.done" ] && return 0
    echo "== generating the bases in $W (once)"
    rm -rf "$W/layout" "$W/rootfs" "$W/fat-src"
    "$top/scripts/busybox-rootfs.sh" "$W/rootfs"
    umoci init --layout "$W/layout" >/dev/null
    umoci new --image "$W/layout:tiny" >/dev/null
    umoci unpack --image "$W/layout:tiny" "$TMP/bundle" >/dev/null
    cp -a "$W/rootfs/." "$TMP/bundle/rootfs/"
    umoci repack --image "$W/layout:tiny" "$TMP/bundle" >/dev/null
    rm -rf "$TMP/bundle"
    umoci config --image "$W/layout:tiny" --tag fat >/dev/null
    cc -O2 -o "$TMP/fatgen" "$top/bench/fatgen.c"
    for part in 1 2 3; do
        mkdir -p "$W/fat-src/part$part/opt"
        "$TMP/fatgen" "$W/fat-src/part$part/opt/fat$part" $((FAT_FILES / 3)) $((FAT_BYTES / 3)) $part
        tar -C "$W/fat-src/part$part" --owner=0 --group=0 -cf "$TMP/part.tar" .
        umoci raw add-layer --image "$W/layout:fat" "$TMP/part.tar" >/dev/null
        rm -f "$TMP/part.tar"
    done
    for t in tiny fat; do
        umoci config --image "$W/layout:$t" \
            --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            --config.cmd sh >/dev/null
    done
    umoci gc --layout "$W/layout"
    rm -rf "$W/fat-src"
    touch "$W/bases.done"
}

start_registry() {
    mkdir -p "$W/registry"
    port=$(shuf -i 20000-60000 -n 1)
    cat >"$TMP/registry.yml" <<EOF
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $W/registry}}
http: {addr: 127.0.0.1:$port}
EOF
    docker-registry serve "$TMP/registry.yml" >"$TMP/registry.log" 2>&1 &
    REG_PID=$!
    REG=127.0.0.1:$port
    for i in $(seq 1 100); do
        curl -sf "http://$REG/v2/" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "the registry did not start" >&2
    cat "$TMP/registry.log" >&2
    exit 1
}

push_bases() {
    for t in tiny fat; do
        skopeo copy --dest-tls-verify=false "oci:$W/layout:$t" "docker://$REG/bench/$t:1" >/dev/null
    done
}

# ---- workloads ----------------------------------------------------------

write_workloads() {
    for base in tiny fat; do
        b=$REG/bench/$base:1
        mkdir -p "$TMP/wl/two-stage-$base" "$TMP/wl/three-runs-$base" "$TMP/wl/one-run-$base"
        printf 'FROM %s AS build\nRUN echo built > /artifact\n\nFROM %s\nCOPY --from=build /artifact /artifact\n' \
            "$b" "$b" >"$TMP/wl/two-stage-$base/Dockerfile"
        printf 'FROM %s\nRUN echo one > /one\nRUN echo two > /two\nRUN echo three > /three\n' \
            "$b" >"$TMP/wl/three-runs-$base/Dockerfile"
        printf 'FROM %s\nRUN echo one > /one && echo two > /two && echo three > /three\n' \
            "$b" >"$TMP/wl/one-run-$base/Dockerfile"
    done
}

# ---- builders -----------------------------------------------------------

kd_build() { # CTX TIMINGS; $REPO: a cache repository, or empty
    $N "$kd" build --progress plain --cache-dir "$W/kd-store" --timings "$2" \
        ${REPO:+--cache-repo "$REPO"} "$1" \
        >"$TMP/kd.log" 2>&1 || { tail -n 5 "$TMP/kd.log" >&2; return 1; }
}
kd_cold() { rm -rf "$W/kd-store"; }

BH="buildah --root $W/buildah/root --runroot $W/buildah/run --storage-driver overlay"
bh_build() {
    $N $BH bud --isolation chroot --layers --tls-verify=false \
        ${REPO:+--cache-from "$REPO" --cache-to "$REPO"} -t bench-out "$1" >"$TMP/bh.log" 2>&1 ||
        { tail -n 5 "$TMP/bh.log" >&2; return 1; }
}
bh_cold() {
    $BH rm --all >/dev/null 2>&1 || true
    $BH rmi --all --force >/dev/null 2>&1 || true
}
bh_cleanup() {
    bh_cold
    for m in $(findmnt -rn -o TARGET | grep "^$W/buildah" | sort -r); do umount "$m" 2>/dev/null || true; done
}

# the Debian package's client, whatever else is on the PATH
DOCKER=/usr/bin/docker
docker_start() {
    [ -n "${KD_BENCH_NO_DOCKER:-}" ] && return 1
    if ! command -v dockerd >/dev/null 2>&1; then
        echo "== installing docker.io (Debian) for the BuildKit comparison"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io \
            >/dev/null 2>&1 || return 1
    fi
    mkdir -p "$D/data" "$D/exec"
    dockerd --host "unix://$D/docker.sock" --data-root "$D/data" --exec-root "$D/exec" \
        --pidfile "$D/docker.pid" --iptables=false --ip-masq=false --bridge=none \
        --insecure-registry "$REG" --storage-driver overlay2 >"$D/dockerd.log" 2>&1 &
    DOCKERD_PID=$!
    for i in $(seq 1 150); do
        $DOCKER -H "unix://$D/docker.sock" info >/dev/null 2>&1 && return 0
        kill -0 "$DOCKERD_PID" 2>/dev/null || break
        sleep 0.2
    done
    echo "dockerd did not start (see $D/dockerd.log)" >&2
    docker_stop
    return 1
}
docker_stop() {
    [ -n "$DOCKERD_PID" ] || return 0
    kill "$DOCKERD_PID" 2>/dev/null || true
    wait "$DOCKERD_PID" 2>/dev/null || true
    DOCKERD_PID=
    for m in $(findmnt -rn -o TARGET | grep "^$D" | sort -r); do umount "$m" 2>/dev/null || true; done
}
dk() { $DOCKER -H "unix://$D/docker.sock" "$@"; }
dk_build() {
    DOCKER_BUILDKIT=1 $N $DOCKER -H "unix://$D/docker.sock" build --network host -t bench-out "$1" \
        >"$TMP/dk.log" 2>&1 || { tail -n 5 "$TMP/dk.log" >&2; return 1; }
}
dk_cold() {
    dk rmi -f $(dk images -aq) >/dev/null 2>&1 || true
    dk builder prune -af >/dev/null 2>&1 || true
}

# ---- the floor ----------------------------------------------------------

floor() {
    rm -rf "$TMP/floor"
    mkdir -p "$TMP/floor"
    m=$(curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
        "http://$REG/v2/bench/fat/manifests/1")
    pids=
    t0=$(now)
    for d in $(echo "$m" | jq -r '.layers[].digest'); do
        (curl -s "http://$REG/v2/bench/fat/blobs/$d" | gzip -d | tar -x -C "$TMP/floor") &
        pids="$pids $!"
    done
    wait $pids # not a bare wait: the registry and dockerd are children too
    t1=$(now)
    rm -rf "$TMP/floor"
    secs "$t0" "$t1"
}

# ---- the run ------------------------------------------------------------

RESULTS=$TMP/results
: >"$RESULTS"
record() { echo "$1 $2 $3 $4 $5" >>"$RESULTS"; } # base workload builder mode seconds

timed() { # BUILDER BASE WORKLOAD MODE: one build, recorded
    ctx=$TMP/wl/$3-$2
    t0=$(now)
    if "${1}_build" "$ctx" "$TMP/timings-$3-$2-$4.json"; then
        record "$2" "$3" "$1" "$4" "$(secs "$t0" "$(now)")"
    else
        record "$2" "$3" "$1" "$4" -
    fi
}

measure() { # BUILDER BASE WORKLOAD: cold, then the same again (warm-local)
    "${1}_cold"
    sync
    timed "$1" "$2" "$3" cold
    timed "$1" "$2" "$3" warm-local
    if [ "$1" != dk ]; then
        REPO=$REG/bench/cache-$1 "${1}_build" "$TMP/wl/$3-$2" "$TMP/fill.json" # untimed
        "${1}_cold"
        REPO=$REG/bench/cache-$1 timed "$1" "$2" "$3" warm-repo
    fi
}

# the median of the runs of one measurement ("-" when any run failed)
get() {
    awk -v b="$1" -v w="$2" -v k="$3" -v m="$4" '$1==b && $2==w && $3==k && $4==m {print $5}' \
        "$RESULTS" | sort -n | awk '{v[NR] = $1} /^-/ {bad = 1}
        END { if (NR == 0 || bad) print "-"; else print v[int((NR + 1) / 2)] }'
}

make_bases
start_registry
push_bases
write_workloads
builders="kd bh"
if docker_start; then builders="kd bh dk"; else echo "== BuildKit: not measured (no dockerd)"; fi

FLOORS=$TMP/floors
: >"$FLOORS"
for run in $(seq 1 "$RUNS"); do
    echo "== run $run of $RUNS: the floor (download + unpack the fat base once)"
    floor >>"$FLOORS"
    echo >>"$FLOORS"
    for base in $BASES; do
        for wl in $WORKLOADS; do
            for b in $builders; do
                printf '== run %s: %-5s %-11s %-8s\n' "$run" "$base" "$wl" "$b"
                measure "$b" "$base" "$wl"
            done
        done
    done
done
FLOOR=$(sort -n "$FLOORS" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')

name() { case $1 in kd) echo kdoctor ;; bh) echo "buildah" ;; dk) echo "BuildKit" ;; esac; }
echo
echo "Results (seconds, wall clock, median of $RUNS runs; $(nproc) cores, $(uname -r))"
printf '%-5s %-11s %-10s %9s %9s %9s   %-9s %-9s %-9s\n' base workload mode kdoctor buildah BuildKit \
    "kd/floor" "bh/kd" "bk/kd"
for base in $BASES; do
    for wl in $WORKLOADS; do
        for mode in cold warm-local warm-repo; do
            k=$(get "$base" "$wl" kd "$mode")
            b=$(get "$base" "$wl" bh "$mode")
            d=$(get "$base" "$wl" dk "$mode")
            f=-
            [ "$base" = fat ] && [ "$mode" = cold ] && f=$(ratio "$k" "$FLOOR")
            printf '%-5s %-11s %-10s %9s %9s %9s   %-9s %-9s %-9s\n' "$base" "$wl" "$mode" \
                "${k:--}" "${b:--}" "${d:--}" "$f" "$(ratio "$b" "$k")" "$(ratio "$d" "$k")"
        done
    done
done
echo "floor (fat base, download + unpack once): ${FLOOR}s (runs: $(tr '\n' ' ' <"$FLOORS"))"
echo "all runs (base workload builder mode seconds):"
sort "$RESULTS" | awk '{k = $1 " " $2 " " $3 " " $4; if (k != p) {printf "%s%s", (p ? "\n" : ""), k; p = k} printf " %s", $5} END {print ""}' |
    sed 's/^/  /' 
echo
echo "kdoctor, three-runs: each RUN's snapshot + compress (ms), tiny vs fat base (cold)"
for base in tiny fat; do
    j=$TMP/timings-three-runs-$base-cold.json
    [ -f "$j" ] || continue
    printf '  %-5s' "$base"
    jq -r '.builds[0].stages[0].steps[] | select(.instruction == "RUN") |
        "\(.phases.snapshot.ms + .phases.compress.ms)"' "$j" | xargs printf ' %8.1f'
    echo
done
echo "kdoctor, fat two-stage cold: phases (ms)"
j=$TMP/timings-two-stage-fat-cold.json
[ -f "$j" ] && jq -r '.builds[0].phase_totals | to_entries[] | select(.value.ms > 0) |
    "  \(.key) \(.value.ms) (\(.value.bytes) bytes)"' "$j"
