# Helpers for the hostile and long suites (tests/hostile/*.sh,
# tests/long/*.sh); set $top and source it: it sources tests/lib.sh and
# tests/lib/registry.sh first.
. "$top/tests/lib.sh"
. "$top/tests/lib/registry.sh"
: "${LAYER_TOOL:=$top/out/layer-tool}"
: "${FETCH_TOOL:=$top/out/fetch-tool}"

# needs_root_and TOOL...: prints a skip line and fails unless running as
# root with every tool installed
needs_root_and() {
    if [ "$(id -u)" != 0 ]; then
        skip "$(basename "$0")" "needs root (namespaces, overlayfs, device nodes)"
        return 1
    fi
    for _t in "$@"; do
        if ! command -v "$_t" >/dev/null 2>&1; then
            skip "$(basename "$0")" "$_t is not installed (make deps installs it)"
            return 1
        fi
    done
}

# outside_sig DIR: a hash of every name, size, mode, mtime and content there
outside_sig() {
    (cd "$1" && find . -printf '%p %s %m %T@\n' | LC_ALL=C sort &&
        find . -type f -exec cat {} +) | sha256sum
}

# store_clean NAME STORE: the store's tmp is empty and no mount is left
# under $TMP
store_clean() {
    _left=$(find "$2/tmp" -mindepth 1 2>/dev/null | head -n 3)
    _mnt=$(findmnt -rn -o TARGET | grep -c "^$TMP" || true)
    if [ -z "$_left" ] && [ "$_mnt" = 0 ]; then ok "$1: store tmp empty, no mount left"; else
        not_ok "$1: store tmp empty, no mount left" "left: $_left" "mounts under \$TMP: $_mnt"
    fi
}

# same_sig NAME WANT_FILE DIR: DIR's tree_sig equals the file's
same_sig() {
    tree_sig "$3" >"$TMP/got.sig" 2>/dev/null
    if [ -d "$3" ] && cmp -s "$2" "$TMP/got.sig"; then ok "$1"; else
        not_ok "$1" "dir $3" "$(diff "$2" "$TMP/got.sig" | head -n 12)"
    fi
}

# image_layer_dir STORE NAME: the store's unpacked dir of the top layer of
# the image NAME (as images.json spells it)
image_layer_dir() {
    _m=$(jq -r --arg n "$2" '.images[$n].digest' "$1/images.json")
    _c=$(jq -r '.config.digest' "$1/blobs/sha256/${_m#sha256:}" 2>/dev/null)
    _d=$(jq -r '.rootfs.diff_ids[-1]' "$1/blobs/sha256/${_c#sha256:}" 2>/dev/null)
    echo "$1/layers/sha256/${_d#sha256:}"
}

# our_mounts: mounts under $TMP or overlays whose layers are there (the
# machine's other overlays, a parallel buildah's, are not ours to count)
our_mounts() {
    { findmnt -rn -o TARGET | grep "^$TMP"; findmnt -rn -t overlay -o OPTIONS | grep -F "$TMP"; } | wc -l
}
