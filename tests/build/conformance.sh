#!/bin/sh
# Conformance: each tests/build/cases/NAME.Dockerfile is built by kdoctor and
# by `buildah bud --layers` on the same context and base. Both images are
# unpacked by umoci and dumped by imgdump: one line per file (path, type,
# mode, owner, size, content hash, link target), then the run config (ours
# from the OCI layout, buildah's from the Docker-format config that
# `buildah inspect` shows, which keeps Healthcheck, Shell and OnBuild).
#
# buildah's own traces are left out first: the empty /etc/hosts,
# /etc/hostname and /etc/resolv.conf it leaves after a RUN, and its
# io.buildah.version label. The dumps must then be equal, or differ exactly
# as NAME.expect-diff records: a case where buildah and Docker/BuildKit
# disagree and kdoctor follows BuildKit (the file's "#" lines say why).
# Cases buildah 1.28 cannot build (heredocs) have NAME.no-buildah (why) and
# NAME.expect: lines kdoctor's dump must hold ("!TEXT": no line may
# contain TEXT).
#
# NAME.args holds extra arguments for both builders (--target, --build-arg).
# buildah's dumps are cached by the hash of everything they depend on (the
# case, its args, the context, the base recipe, buildah's version) in
# $KD_TEST_CACHE (default ~/.cache/kdoctor-tests); KD_BUILDAH_FRESH=1 ignores
# the cache. CASES=pattern runs a subset.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
. "$top/tests/build/lib.sh"
# buildah names an oci: base after its path, which must be lower case
base=/tmp/kdoctor-base-$$
trap 'bh_cleanup; rm -rf "$TMP" "$base"' EXIT INT TERM

need_root conformance "namespaces, overlayfs, owners"
need_tools conformance "scripts/install-deps.sh installs it" buildah umoci

cases_dir=$top/tests/build/cases
cache=${KD_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kdoctor-tests}/buildah
mkdir -p "$cache"

ctx=$TMP/ctx
make_case_context "$ctx"

if ! busybox_layout "$base"; then
    not_ok "conformance: base image" "umoci could not make the base layout"
    exit 0
fi
# what a buildah dump depends on besides the case itself
{
    "$IMGDUMP" tree "$ctx" | sed 's/ [0-9]* sha256/ sha256/'
    "$IMGDUMP" tree "$TMP/rootfs"
    buildah --version
    sed -n '/^make_base_layout/,/^}/p' "$top/tests/build/lib.sh"
} >"$TMP/inputs"

# dump WHO LAYOUT NAME: the tree and config dump of an image into NAME.WHO.dump
dump_tree() {
    if umoci unpack --image "$2:1" "$TMP/u-$1-$3" >/dev/null 2>&1; then
        "$IMGDUMP" tree "$TMP/u-$1-$3/rootfs"
    else
        echo "umoci cannot unpack the image"
    fi
    rm -rf "$TMP/u-$1-$3" "$2"
}

kdoctor_dump() {
    name=$1 args=$2
    sed "s|@BASE@|oci-layout://$base:1|g" "$cases_dir/$name.Dockerfile" >"$TMP/$name.k"
    # shellcheck disable=SC2086
    if ! "$KDOCTOR" build --progress plain --cache-dir "$TMP/store" -f "$TMP/$name.k" \
        --oci-layout "$TMP/k-$name" -t "$name:1" $args "$ctx" >"$TMP/$name.klog" 2>&1; then
        not_ok "conformance: $name: kdoctor builds it" "$(tail -n 15 "$TMP/$name.klog")"
        return 1
    fi
    {
        "$IMGDUMP" config "$TMP/k-$name" 1 | sed 's/^/config /'
        dump_tree k "$TMP/k-$name" "$name"
    } >"$TMP/$name.k.dump"
}

buildah_dump() {
    name=$1 args=$2
    key=$({ cat "$TMP/inputs" "$cases_dir/$name.Dockerfile"; echo "$args"; } | sha256sum |
        cut -c1-32)
    if [ -z "${KD_BUILDAH_FRESH:-}" ] && [ -s "$cache/$key.dump" ]; then
        cp "$cache/$key.dump" "$TMP/$name.b.dump"
        return 0
    fi
    sed "s|@BASE@|oci:$base:1|g" "$cases_dir/$name.Dockerfile" >"$TMP/$name.b"
    # shellcheck disable=SC2086
    if ! bh bud --isolation chroot --layers --format docker -f "$TMP/$name.b" \
        -t "localhost/$name:1" $args "$ctx" >"$TMP/$name.blog" 2>&1 ||
        ! bh push "localhost/$name:1" "oci:$TMP/b-$name:1" >>"$TMP/$name.blog" 2>&1 ||
        ! bh inspect --type image "localhost/$name:1" >"$TMP/$name.inspect" 2>>"$TMP/$name.blog"; then
        not_ok "conformance: $name: buildah builds it" "$(tail -n 15 "$TMP/$name.blog")"
        return 1
    fi
    {
        "$IMGDUMP" config-json "$TMP/$name.inspect" Docker | sed 's/^/config /'
        dump_tree b "$TMP/b-$name" "$name"
    } >"$TMP/$name.b.dump"
    bh rmi --force "localhost/$name:1" >/dev/null 2>&1
    cp "$TMP/$name.b.dump" "$cache/$key.dump"
}

# cases buildah cannot build: kdoctor's dump must hold NAME.expect's lines
check_expect() {
    name=$1
    missing=$(grep -v '^#' "$cases_dir/$name.expect" | while IFS= read -r l; do
        case "$l" in
        !*) ! grep -qF -- "${l#!}" "$TMP/$name.k.dump" || echo "present: ${l#!}" ;;
        *) grep -qxF -- "$l" "$TMP/$name.k.dump" || echo "missing: $l" ;;
        esac
    done)
    if [ -z "$missing" ]; then
        ok "conformance: $name holds what $name.expect lists (buildah: $(head -n1 "$cases_dir/$name.no-buildah"))"
        expected=$((expected + 1))
    else
        not_ok "conformance: $name holds what $name.expect lists" "$missing"
    fi
}

compare() {
    name=$1
    empty=sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
    grep -Ev "^/etc/(hostname|hosts|resolv.conf) f 0755 0:0 0 $empty -\$|^config Labels: io.buildah.version=" \
        "$TMP/$name.b.dump" >"$TMP/$name.b.clean"
    diff "$TMP/$name.b.clean" "$TMP/$name.k.dump" >"$TMP/$name.diff"
    if [ ! -s "$TMP/$name.diff" ]; then
        ok "conformance: $name equals buildah"
        equal=$((equal + 1))
    elif [ -f "$cases_dir/$name.expect-diff" ] &&
        grep -v '^#' "$cases_dir/$name.expect-diff" | cmp -s - "$TMP/$name.diff"; then
        ok "conformance: $name differs from buildah as documented in $name.expect-diff"
        documented=$((documented + 1))
    else
        not_ok "conformance: $name equals buildah" "diff buildah kdoctor:" \
            "$(head -n 30 "$TMP/$name.diff")"
    fi
}

equal=0 documented=0 expected=0
for f in "$cases_dir"/*.Dockerfile; do
    name=$(basename "$f" .Dockerfile)
    case "$name" in *"${CASES:-}"*) ;; *) continue ;; esac
    args=""
    [ -f "$cases_dir/$name.args" ] && args=$(cat "$cases_dir/$name.args")
    kdoctor_dump "$name" "$args" || continue
    if [ -f "$cases_dir/$name.no-buildah" ]; then
        check_expect "$name"
    elif buildah_dump "$name" "$args"; then
        compare "$name"
    fi
done
echo "# conformance: $equal equal to buildah, $documented differ as documented," \
    "$expected checked against recorded expectations"
