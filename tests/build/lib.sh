# Helpers for the builder's test suites (tests/build/*.sh); source it after
# tests/lib.sh. Everything lives in $TMP and is removed by its trap; the
# registry is stopped by PID.
: "${IMGDUMP:=$top/out/imgdump}"

have() { command -v "$1" >/dev/null 2>&1; }

# need_root NAME WHY: unless running as root, prints "skip - NAME: needs
# root (WHY)" and ends the suite (status 0)
need_root() {
    [ "$(id -u)" = 0 ] && return 0
    skip "$1" "needs root ($2)"
    exit 0
}

# need_tools NAME HINT TOOL...: unless every TOOL is installed, prints
# "skip - NAME: TOOL is not installed (HINT)" (no parentheses when HINT is
# empty) and ends the suite (status 0)
need_tools() {
    _name=$1 _hint=${2:+ ($2)}
    shift 2
    for _t in "$@"; do
        if ! have "$_t"; then
            skip "$_name" "$_t is not installed$_hint"
            exit 0
        fi
    done
}

# make_rootfs DIR: a small busybox-static root filesystem (no internet)
make_rootfs() {
    "$top/scripts/busybox-rootfs.sh" "$1"
}

# busybox_store STORE: kdtest-base:1 in the store STORE, imported by
# kdoctor from a busybox-static root filesystem made in $TMP/rootfs
busybox_store() {
    make_rootfs "$TMP/rootfs"
    "$KDOCTOR" import "$TMP/rootfs" -t kdtest-base:1 --cache-dir "$1" >/dev/null 2>&1
}

# busybox_layout LAYOUT: the same root filesystem in $TMP/rootfs, and an
# OCI layout tagged "1" holding it (make_base_layout); fails as that does
busybox_layout() {
    make_rootfs "$TMP/rootfs"
    make_base_layout "$1" "$TMP/rootfs"
}

# make_base_layout LAYOUT ROOTFS: an OCI layout tagged "1" holding ROOTFS,
# made with umoci so that it owes nothing to kdoctor's own writer
make_base_layout() {
    umoci init --layout "$1" >/dev/null &&
        umoci new --image "$1:1" >/dev/null &&
        umoci unpack --image "$1:1" "$TMP/base-bundle" >/dev/null &&
        cp -a "$2/." "$TMP/base-bundle/rootfs/" &&
        umoci repack --image "$1:1" "$TMP/base-bundle" >/dev/null &&
        umoci config --image "$1:1" \
            --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            --config.cmd sh >/dev/null &&
        rm -rf "$TMP/base-bundle"
}

# make_case_context DIR: the context of tests/build/cases, with the
# archives for ADD made here so that the repository holds no binaries
make_case_context() {
    cp -a "$top/tests/build/context" "$1"
    mkdir -p "$TMP/arch/app/bin" "$TMP/arch/app/etc"
    printf 'tool\n' >"$TMP/arch/app/bin/tool"
    chmod 755 "$TMP/arch/app/bin/tool"
    printf 'conf\n' >"$TMP/arch/app/etc/app.conf"
    ln -s bin/tool "$TMP/arch/app/run"
    tar -C "$TMP/arch" --sort=name --owner=0 --group=0 --mtime=@1000000000 -czf "$1/app.tar.gz" app
    tar -C "$TMP/arch" --sort=name --owner=42 --group=43 --mtime=@1000000000 -cf "$1/plain.tar" app
    rm -rf "$TMP/arch"
}

# wait_grep PATTERN FILE: waits until FILE has a line matching PATTERN (a
# grep basic regular expression); fails after 10 s
wait_grep() {
    for _i in $(seq 1 100); do
        grep -q "$1" "$2" && return 0
        sleep 0.1
    done
    return 1
}

# free_port: a TCP port on 127.0.0.1 nobody listens on (best effort)
free_port() {
    while :; do
        _p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000 ))
        if ! (ss -ltn 2>/dev/null | grep -q ":$_p "); then
            echo "$_p"
            return
        fi
    done
}

# start_registry: Debian's docker-registry on a free 127.0.0.1 port; sets
# REG (host:port) and REG_PID. Returns 1 when it does not come up.
# REG_ACCESS_LOG=1 logs every request to $TMP/registry.log; REG_READONLY=1
# refuses pushes (pulls only); REG_ADDR=IP listens there instead.
start_registry() {
    for _try in 1 2 3; do
        _port=$(free_port)
        mkdir -p "$TMP/registry"
        cat >"$TMP/registry.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: $([ "${REG_ACCESS_LOG:-}" = 1 ] && echo false || echo true)
storage:
  filesystem:
    rootdirectory: $TMP/registry
  delete:
    enabled: true
  maintenance:
    readonly:
      enabled: $([ "${REG_READONLY:-}" = 1 ] && echo true || echo false)
http:
  addr: ${REG_ADDR:-127.0.0.1}:$_port
EOF
        docker-registry serve "$TMP/registry.yml" >"$TMP/registry.log" 2>&1 &
        REG_PID=$!
        REG=${REG_ADDR:-127.0.0.1}:$_port
        for _i in $(seq 1 50); do
            if wget -q -O /dev/null "http://$REG/v2/" 2>/dev/null ||
                curl -sf "http://$REG/v2/" >/dev/null 2>&1; then
                return 0
            fi
            kill -0 "$REG_PID" 2>/dev/null || break
            sleep 0.1
        done
        stop_registry
    done
    return 1
}

stop_registry() {
    if [ -n "${REG_PID:-}" ]; then
        kill "$REG_PID" 2>/dev/null
        wait "$REG_PID" 2>/dev/null
        REG_PID=
    fi
}

# mounts_under DIR: how many mounts sit below DIR (leak check)
mounts_under() {
    findmnt -rn -o TARGET | grep -c "^$1" || true
}

# overlay_mounts: overlay mounts of the whole machine
overlay_mounts() {
    findmnt -rn -t overlay -o TARGET | wc -l
}

# buildah with its own storage in $TMP: vfs needs no mounts and nothing of
# the machine's own container storage is touched; chroot isolation, since
# this machine's hybrid cgroups make crun refuse to start containers
BH_ROOT=$TMP/buildah-root
BH_RUN=$TMP/buildah-run
bh() {
    buildah --storage-driver vfs --root "$BH_ROOT" --runroot "$BH_RUN" "$@"
}
bh_cleanup() {
    bh rm --all >/dev/null 2>&1
    bh rmi --all --force >/dev/null 2>&1
    rm -rf "$BH_ROOT" "$BH_RUN" 2>/dev/null
}

# podman on the same storage; runc with explicit limits, since crun refuses
# hybrid cgroups and the default rlimits are above this machine's hard ones
pm() {
    podman --storage-driver vfs --root "$BH_ROOT" --runroot "$BH_RUN" --cgroup-manager cgroupfs \
        --runtime runc "$@"
}
PM_RUN_OPTS="--rm --network none --ulimit nofile=1024:1024 --ulimit nproc=4096:4096"
