#!/bin/sh
# Hostile layers end to end: every hostile tar of `layer-tool hostile` (and
# one of odd but legal entries made with GNU tar) is given to kdoctor twice,
# as a tar to `kdoctor import` and as the top layer of a base image pulled
# from a real docker-registry by `kdoctor build`. Link targets point into
# $TMP/outside, a directory with a "secret" that must stay as it was.
#
# Refused kinds: the import and the build fail naming the entry, nothing is
# written outside the store (no "escaped*" file anywhere under $TMP, no
# /escaped-abs), the store's tmp is empty and the store still builds.
# Accepted kinds: the layer the store unpacked is the tree GNU tar extracts
# (what Docker's and containerd's unpackers make of these entries), pulled
# or imported, and a build using it succeeds.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostile/lib.sh"

needs_root_and docker-registry skopeo umoci tar || exit 0

OUT=$TMP/outside
mkdir -p "$OUT"
printf 'secret\n' >"$OUT/passwd"
store=$TMP/store   # imports
pstore=$TMP/pstore # pulls: a store of its own, so that pulled layers are unpacked anew
registry_start A || exit 1
busybox_rootfs "$TMP/rootfs" base
L=$TMP/layout
oci_image "$L" base "$TMP/rootfs" >/dev/null 2>&1 || { not_ok "set-up: base image (umoci)"; exit 0; }
"$KDOCTOR" import "$TMP/rootfs" -t base:1 --cache-dir "$store" >/dev/null 2>&1 ||
    { not_ok "set-up: kdoctor import of the base"; exit 0; }
outside_before=$(outside_sig "$OUT")

# push_hostile KIND TAR: the base image plus TAR as its top layer, pushed
# to registry A as hostile/KIND:1 (umoci does not look into the layer)
push_hostile() {
    umoci raw add-layer --image "$L:base" --tag "$1" "$2" >/dev/null 2>&1 &&
        skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$L:$1" \
            "docker://$REG_A/hostile/$1:1" >/dev/null 2>&1
}

# nothing_escaped NAME: the outside dir as it was, no escaped file anywhere
nothing_escaped() {
    esc=$(find "$TMP" -name 'escaped*' 2>/dev/null | head -n 3)
    [ -e /escaped-abs ] && esc="$esc /escaped-abs"
    if [ -z "$esc" ] && [ "$(outside_sig "$OUT")" = "$outside_before" ]; then
        ok "$1: nothing written outside"
    else
        not_ok "$1: nothing written outside" "escaped: $esc" "$(ls -la "$OUT")"
    fi
}

# build_from IMAGE STORE: a build whose RUN lists the root
build_from() {
    mkdir -p "$TMP/ctx"
    printf 'FROM %s\nRUN ls / >/dev/null && echo ran\n' "$1" >"$TMP/ctx/Dockerfile"
    run "$KDOCTOR" build --progress plain --cache-dir "$2" "$TMP/ctx"
}

# ---- refused kinds ----
refused() { # KIND PATTERN
    "$LAYER_TOOL" hostile "$1" "$TMP/$1.tar" "$OUT"
    run "$KDOCTOR" import "$TMP/$1.tar" -t "imp-$1:1" --cache-dir "$store"
    if [ "$status" = 1 ] && grep -Eq -- "$2" "$TMP/err" && grep -q "$TMP/$1.tar: " "$TMP/err"; then
        ok "import $1: refused naming the tar and the entry"
    else
        not_ok "import $1: refused naming the tar and the entry" "status $status" "$(head -c 400 "$TMP/err")"
    fi
    nothing_escaped "import $1"
    store_clean "import $1" "$store"
    if push_hostile "$1" "$TMP/$1.tar"; then
        build_from "$REG_A/hostile/$1:1" "$pstore"
        if [ "$status" = 1 ] && grep -Eq -- "$2" "$TMP/err" && grep -q 'Dockerfile:1' "$TMP/err"; then
            ok "pull $1: the build fails naming FROM and the entry"
        else
            not_ok "pull $1: the build fails naming FROM and the entry" "status $status" \
                "$(tail -c 400 "$TMP/err")"
        fi
        nothing_escaped "pull $1"
        store_clean "pull $1" "$pstore"
    else
        not_ok "pull $1: set-up (umoci raw add-layer, skopeo copy)"
    fi
    HOSTILE_CASES=$((HOSTILE_CASES + 2))
}
HOSTILE_CASES=0
refused dotdot 'entry "\.\./escaped": path escapes'
refused abs 'entry "/escaped-abs": absolute path'
refused dotdot-deep 'entry "a/\.\./\.\./escaped": path escapes'
refused symlink-parent 'entry "l/passwd": a parent directory is a symlink'
refused symlink-swap 'entry "d/escaped": a parent directory is a symlink'
refused hardlink-abs 'entry "h": hard link target is outside'
refused hardlink-dotdot 'entry "h": hard link target is outside'
refused hardlink-symlink 'entry "h": hard link target is missing or behind a symlink'
refused hardlink-missing 'entry "h": hard link target is missing'
refused overlay-xattr 'entry "d/": carries an overlayfs xattr'
refused whiteout-dotdot 'entry "\.wh\.\.\.": whiteout of an invalid name'

build_from base:1 "$store"
if [ "$status" = 0 ] && grep -q ' ran$' "$TMP/err"; then ok "the store still builds after every refusal"; else
    not_ok "the store still builds after every refusal" "$(tail -c 400 "$TMP/err")"
fi

# ---- accepted kinds: the store's tree is GNU tar's ----
# special.tar: devices, a fifo, setuid/setgid/sticky modes, owners, and a
# 10 GiB sparse file, in PAX format with its sparse map
S=$TMP/special
mkdir -p "$S/dev" "$S/sticky"
mknod "$S/dev/null" c 1 3
mknod "$S/dev/loop9" b 7 9
mkfifo "$S/dev/fifo"
printf '#!/bin/sh\n' >"$S/suid"
chown 1234:5678 "$S/suid" # before chmod: chown clears set-id bits
chmod 4755 "$S/suid"
chmod 2775 "$S/dev"
chmod 1777 "$S/sticky"
truncate -s 10G "$S/sparse"
printf 'end' | dd of="$S/sparse" bs=1 seek=$((10 * 1024 * 1024 * 1024 - 3)) conv=notrunc 2>/dev/null
tar --format=posix --sparse --numeric-owner -C "$S" -cf "$TMP/special.tar" .
rm -rf "$S"

# layer_dir STORE TAR: the store's unpacked dir of the layer TAR as pulled
# (its diff_id is the sha256 of the tar)
layer_dir() {
    echo "$1/layers/sha256/$(sha256sum <"$2" | cut -c1-64)"
}
# accepted KIND TAR [noimport]: imported (unless noimport) and pulled, the
# store's tree is GNU tar's
accepted() {
    mkdir -p "$TMP/gnu-$1"
    tar --numeric-owner -xpf "$2" -C "$TMP/gnu-$1" 2>/dev/null
    tree_sig "$TMP/gnu-$1" >"$TMP/want"
    if [ "${3:-}" != noimport ]; then
        run "$KDOCTOR" import "$2" -t "imp-$1:1" --cache-dir "$store"
        if [ "$status" = 0 ]; then
            same_sig "import $1: the store holds GNU tar's tree" "$TMP/want" \
                "$(image_layer_dir "$store" "docker.io/library/imp-$1:1")"
        else
            not_ok "import $1: the store holds GNU tar's tree" "status $status" "$(head -c 400 "$TMP/err")"
        fi
        HOSTILE_CASES=$((HOSTILE_CASES + 1))
    fi
    if push_hostile "$1" "$2"; then
        build_from "$REG_A/hostile/$1:1" "$pstore"
        if [ "$status" = 0 ] && grep -q ' ran$' "$TMP/err"; then
            same_sig "pull $1: the build succeeds, the layer is GNU tar's tree" "$TMP/want" \
                "$(layer_dir "$pstore" "$2")"
        else
            not_ok "pull $1: the build succeeds, the layer is GNU tar's tree" "$(tail -c 400 "$TMP/err")"
        fi
    else
        not_ok "pull $1: set-up (umoci raw add-layer, skopeo copy)"
    fi
    nothing_escaped "accepted $1"
    rm -rf "$TMP/gnu-$1"
    HOSTILE_CASES=$((HOSTILE_CASES + 1))
}
for kind in names deep; do
    "$LAYER_TOOL" hostile "$kind" "$TMP/$kind.tar" "$OUT"
    accepted "$kind" "$TMP/$kind.tar"
done
# import writes the tree back as a layer, reading the 10 GiB of the sparse
# file (about 90 s here): only in `make test-long`
if [ "${KD_TESTS_LONG:-}" = 1 ]; then accepted special "$TMP/special.tar"; else
    accepted special "$TMP/special.tar" noimport
fi
sp=$(layer_dir "$pstore" "$TMP/special.tar")/sparse
if [ "$(stat -c %s "$sp" 2>/dev/null)" = 10737418240 ] && [ "$(du -k "$sp" | cut -f1)" -lt 1024 ]; then
    ok "10 GiB sparse file: its size, under 1 MiB of disk"
else
    not_ok "10 GiB sparse file: its size, under 1 MiB of disk" "$(ls -ls "$sp" 2>&1)"
fi

# where GNU tar is no model: a later entry replaces an earlier one, as in
# Docker (containerd's unpacker); GNU tar keeps a non-empty dir, and defers
# a symlink to an absolute path, keeping it over the later file
"$LAYER_TOOL" hostile dups "$TMP/dups.tar" "$OUT"
"$LAYER_TOOL" hostile symlink-file "$TMP/symlink-file.tar" "$OUT"
for kind in dups symlink-file; do
    push_hostile "$kind" "$TMP/$kind.tar" || not_ok "pull $kind: set-up"
    build_from "$REG_A/hostile/$kind:1" "$pstore"
    d=$(layer_dir "$pstore" "$TMP/$kind.tar")
    case $kind in
    dups) grep -qx second "$d/f" && grep -qx 'file now' "$d/d" && test -f "$d/e/x" ;;
    *) test -f "$d/f" && ! test -L "$d/f" ;;
    esac
    if [ $? = 0 ] && [ "$status" = 0 ]; then ok "pull $kind: the later entry wins, as in Docker"; else
        not_ok "pull $kind: the later entry wins, as in Docker" "status $status" "$(ls -la "$d")"
    fi
    nothing_escaped "pull $kind"
    HOSTILE_CASES=$((HOSTILE_CASES + 1))
done
store_clean "accepted layers: import" "$store"
store_clean "accepted layers: pull" "$pstore"
echo "# hostile layer cases tried: $HOSTILE_CASES"
