#!/bin/sh
# Hostile build contexts: symlinks out of the context (absolute, relative,
# to a file), names with newlines and invalid UTF-8, device nodes, a fifo,
# setuid/setgid/sticky modes, a sparse file, a deep tree, and every hostile
# tar of `layer-tool hostile` given to ADD. Link targets point into
# $TMP/outside, which holds a "secret" and must stay as it was.
#
# COPY . copies the context as Docker does: links as links (never
# followed), every name and mode kept, owners root (the layer's tree is
# compared with the context's). A source reached through a link out of the
# context, or written "../", is an error naming the line. ADD of a hostile
# tar either succeeds with every entry inside the image's root or fails
# clearly; nothing is written outside either way, and a RUN cannot see the
# outside dir.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostile/lib.sh"

needs_root_and jq || exit 0

OUT=$TMP/outside
mkdir -p "$OUT"
printf 'secret\n' >"$OUT/passwd"
store=$TMP/store
busybox_rootfs "$TMP/rootfs" base
"$KDOCTOR" import "$TMP/rootfs" -t base:1 --cache-dir "$store" >/dev/null 2>&1 ||
    { not_ok "set-up: kdoctor import of the base"; exit 0; }
outside_before=$(outside_sig "$OUT")
CASES=0

nothing_outside() {
    if [ "$(outside_sig "$OUT")" = "$outside_before" ] && [ ! -e /escaped-abs ] &&
        [ -z "$(find "$TMP" -path "$store" -prune -o -name 'escaped*' -print | head -n 1)" ]; then
        ok "$1: nothing written outside"
    else
        not_ok "$1: nothing written outside" "$(ls -la "$OUT")"
    fi
    CASES=$((CASES + 1))
}

# build NAME DOCKERFILE_TEXT: builds $TMP/ctx tagged NAME
build() {
    printf '%s\n' "$2" >"$TMP/Dockerfile"
    run "$KDOCTOR" build --progress plain --cache-dir "$store" -f "$TMP/Dockerfile" -t "$1" "$TMP/ctx"
}

# ---- the context ----
C=$TMP/ctx/h
mkdir -p "$C/dev" "$C/sticky" "$C/sgid"
printf 'plain\n' >"$C/plain"
ln -s "$OUT" "$C/abs-link"
ln -s ../../../outside "$C/rel-link"
ln -s "$OUT/passwd" "$C/file-link"
printf 'nl\n' >"$C/$(printf 'new\nline')"
printf 'bad\n' >"$C/$(printf 'bad\377utf8')"
mknod "$C/dev/null" c 1 3
mknod "$C/dev/loop9" b 7 9
mkfifo "$C/dev/fifo"
printf '#!/bin/sh\n' >"$C/suid"
chown 1234:5678 "$C/suid"
chmod 4755 "$C/suid"
chmod 2775 "$C/sgid"
chmod 1777 "$C/sticky"
truncate -s 256M "$C/sparse"
d=$C
for i in $(seq 1 200); do d=$d/d; done
mkdir -p "$d"
printf 'bottom\n' >"$d/bottom"
find "$C" -mindepth 1 -exec touch -h -d @1000000000 {} +

build ctx-copy:1 'FROM base:1
COPY h /h/
RUN for t in "-L /h/abs-link" "-L /h/file-link" "! -e /h/file-link" "! -e '"$OUT"'" \
        "-c /h/dev/null" "-b /h/dev/loop9" "-p /h/dev/fifo" "-u /h/suid" "-g /h/sgid" "-k /h/sticky"; do \
        test $t || { echo "failed: test $t"; exit 1; }; done; echo checked'
if [ "$status" = 0 ] && grep -q ' checked$' "$TMP/err"; then
    ok "COPY of a hostile context: builds, links stay links, the RUN cannot see outside"
else
    not_ok "COPY of a hostile context: builds, links stay links, the RUN cannot see outside" \
        "status $status" "$(tail -c 600 "$TMP/err")"
fi
# Docker's COPY: the same tree with every owner root
tree_sig "$C" | sed 's/^\([^|]*|[^|]*|[^|]*|\)[0-9]*:[0-9]*|/\10:0|/' >"$TMP/want"
L=$(image_layer_dir "$store" docker.io/library/ctx-copy:1)
# the COPY layer is below the RUN's (which adds nothing but may be empty)
[ -d "$L/h" ] || L=$(dirname "$L")/$(jq -r '.rootfs.diff_ids[-2]' \
    "$store/blobs/sha256/$(jq -r '.config.digest' "$store/blobs/sha256/$(jq -r \
        '.images["docker.io/library/ctx-copy:1"].digest' "$store/images.json" | cut -d: -f2)" |
        cut -d: -f2)" | cut -d: -f2)
same_sig "COPY of a hostile context: the layer is the context, owners root" "$TMP/want" "$L/h"
nothing_outside "COPY of a hostile context"

# ---- sources that leave the context ----
for src in h/abs-link/passwd h/rel-link/passwd h/file-link ../outside/passwd "$OUT/passwd"; do
    build ctx-bad:1 "FROM base:1
COPY $src /x"
    if [ "$status" = 1 ] && grep -q 'Dockerfile:2' "$TMP/err"; then
        ok "COPY $src: fails naming the line"
    elif [ "$status" = 0 ] && [ "$src" = "$OUT/passwd" ] &&
        [ "$(cat "$(image_layer_dir "$store" docker.io/library/ctx-bad:1)/x" 2>/dev/null)" != secret ]; then
        ok "COPY $src: an absolute source is read inside the context (as Docker)"
    else
        not_ok "COPY $src: fails naming the line, or stays in the context" "status $status" \
            "$(tail -c 400 "$TMP/err")"
    fi
    nothing_outside "COPY $src"
done

# ---- ADD of hostile archives ----
# Docker's unpacker (pkg/archive) resolves every entry inside the root and
# refuses names and hard links that climb out of it; a later entry replaces
# an earlier one, a directory too. Inside the image the outside dir's path
# may then exist, but never with the host's secret.
add_case() { # KIND build|refuse [RUN CHECK]
    "$LAYER_TOOL" hostile "$1" "$TMP/ctx/$1.tar" "$OUT"
    build "add-$1:1" "FROM base:1
ADD $1.tar /x/
RUN case \"\$(cat $OUT/passwd 2>/dev/null)\" in secret) exit 1;; esac; ${3:-true} && echo checked"
    if [ "$2" = build ] && [ "$status" = 0 ] && grep -q ' checked$' "$TMP/err"; then
        ok "ADD $1.tar: built as Docker does, every entry inside the root"
    elif [ "$2" = refuse ] && [ "$status" = 1 ] && grep -q 'Dockerfile:2: ADD' "$TMP/err"; then
        ok "ADD $1.tar: refused naming the line"
    else
        not_ok "ADD $1.tar: expected to $2" "status $status" "$(tail -c 400 "$TMP/err")"
    fi
    nothing_outside "ADD $1.tar"
    rm -f "$TMP/ctx/$1.tar"
}
for kind in dotdot dotdot-deep hardlink-abs hardlink-dotdot hardlink-symlink hardlink-missing; do
    add_case $kind refuse
done
for kind in abs symlink-parent symlink-swap whiteout-dotdot names deep; do
    add_case $kind build
done
add_case symlink-file build 'test -f /x/f && ! test -L /x/f'
add_case dups build 'test "$(cat /x/d)" = "file now" && test -f /x/e/x && test -f /x/m/a'
store_clean "hostile contexts" "$store"
echo "# hostile context cases tried: $CASES"
