# Helpers for suites that need a real registry; source it after tests/lib.sh.
#
# registry_start NAME [HTPASSWD_FILE]
#     starts Debian's docker-registry on a free 127.0.0.1 port with its own
#     storage under $TMP, waits until it answers, and sets REG_<NAME> to
#     "127.0.0.1:PORT". It is stopped by PID when the suite exits (also on
#     failure or a signal), or by registry_stop NAME.
# busybox_rootfs DIR [MARK]
#     a root file system from busybox-static: /bin/busybox, /bin/sh and a few
#     applet links, and /etc/mark holding MARK.
# oci_image LAYOUT TAG ROOTFS [ARCH]
#     adds an image of ROOTFS to the OCI layout LAYOUT (with umoci).

REG_PIDS=""

registry_stop_all() {
    for p in $REG_PIDS; do
        kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    REG_PIDS=""
}
trap 'registry_stop_all; rm -rf "$TMP"' EXIT
trap 'registry_stop_all; rm -rf "$TMP"; exit 1' HUP INT PIPE TERM

# A port nothing listens on now (the registry's own bind is the real test).
free_port() {
    while :; do
        p=$(shuf -i 20000-60000 -n 1)
        ss -ltnH "( sport = :$p )" 2>/dev/null | grep -q . || { echo "$p"; return; }
    done
}

registry_start() {
    name=$1 htpasswd=${2:-}
    dir="$TMP/registry-$name"
    mkdir -p "$dir/data"
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        {
            echo "version: 0.1"
            echo "log: {level: error, accesslog: {disabled: true}}"
            echo "storage: {filesystem: {rootdirectory: $dir/data}, delete: {enabled: true}}"
            echo "http: {addr: 127.0.0.1:$port, secret: kdoctor-tests}"
            [ -n "$htpasswd" ] && echo "auth: {htpasswd: {realm: kdoctor-tests, path: $htpasswd}}"
        } >"$dir/config.yml"
        docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
        pid=$!
        i=0
        while [ $i -lt 100 ]; do
            code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" 2>/dev/null)
            case "$code" in 200 | 401) break ;; esac
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
            i=$((i + 1))
        done
        if kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; then
            REG_PIDS="$REG_PIDS $pid"
            eval "REG_$name=127.0.0.1:$port REGPID_$name=$pid"
            return 0
        fi
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    echo "registry $name did not start:" >&2
    cat "$dir/log" >&2
    return 1
}

registry_stop() {
    eval "p=\$REGPID_$1"
    kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    REG_PIDS=$(echo "$REG_PIDS" | tr ' ' '\n' | grep -vx "$p" | tr '\n' ' ')
}

busybox_rootfs() {
    mkdir -p "$1/bin" "$1/etc" "$1/tmp"
    cp /bin/busybox "$1/bin/busybox"
    for a in sh echo cat ls true; do ln -sf busybox "$1/bin/$a"; done
    echo "${2:-busybox}" >"$1/etc/mark"
}

oci_image() {
    layout=$1 tag=$2 rootfs=$3 arch=${4:-amd64}
    [ -d "$layout" ] || umoci init --layout "$layout" || return 1
    umoci new --image "$layout:$tag" || return 1
    bundle="$TMP/bundle-$tag-$$"
    umoci unpack --image "$layout:$tag" "$bundle" >/dev/null || return 1
    cp -a "$rootfs/." "$bundle/rootfs/"
    umoci repack --image "$layout:$tag" "$bundle" >/dev/null || return 1
    rm -rf "$bundle"
    umoci config --image "$layout:$tag" --architecture "$arch" --os linux \
        --config.cmd /bin/sh --config.env KD=1 --config.workingdir /tmp || return 1
    umoci gc --layout "$layout"
}
