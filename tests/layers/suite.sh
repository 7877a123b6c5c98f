#!/bin/sh
# Layer I/O (build/layer.h) through out/layer-tool, checked against real
# tools: GNU tar, gzip, bsdtar, skopeo and umoci. Needs root (devices,
# owners, trusted.* xattrs); prints "skip" lines where a tool is missing.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
LT=${LAYER_TOOL:-$top/out/layer-tool}

if [ "$(id -u)" != 0 ]; then
    skip layers "needs root (device nodes, owners, trusted.* xattrs)"
    exit 0
fi
have() { command -v "$1" >/dev/null 2>&1; }

# same_tree NAME DIR1 DIR2
same_tree() {
    tree_sig "$2" >"$TMP/sig1"
    tree_sig "$3" >"$TMP/sig2"
    if cmp -s "$TMP/sig1" "$TMP/sig2"; then ok "$1"; else
        not_ok "$1" "$(diff "$TMP/sig1" "$TMP/sig2" | head -n 20)"
    fi
}

# check NAME CONDITION-COMMAND...: ok when the command succeeds
check() {
    _cn=$1
    shift
    if "$@" >/dev/null 2>&1; then ok "$_cn"; else not_ok "$_cn" "failed: $*"; fi
}

stat_of() { grep "^$2 " "$1" | cut -d' ' -f2; }

# ---- a source tree with every entry type ----
S=$TMP/src
mkdir -p "$S/dir/sub" "$S/empty" "$S/opq/inner"
printf 'hello\n' >"$S/dir/file"
printf '#!/bin/sh\n' >"$S/dir/suid"
chmod 4755 "$S/dir/suid"
chmod 2750 "$S/dir/sub"
ln "$S/dir/file" "$S/dir/hardlink"
ln -s ../dir/file "$S/dir/rel-link"
ln -s /etc/passwd "$S/abs-link"
mkfifo "$S/fifo"
mknod "$S/chr" c 1 7
mknod "$S/blk" b 7 200
head -c 300000 /dev/urandom >"$S/dir/random"
truncate -s 5M "$S/dir/sparse"
printf 'x' | dd of="$S/dir/sparse" bs=1 seek=1000000 conv=notrunc 2>/dev/null
long=$(printf 'long%.0s' $(seq 1 40))
printf 'long\n' >"$S/dir/$long"
ln -s "$long/$long/$long" "$S/dir/long-target"
printf 'nl\n' >"$S/$(printf 'new\nline')"
printf 'bad\n' >"$S/$(printf 'bad\377utf8')"
chown 1000:1001 "$S/dir/file"
chown 4000000:5000000 "$S/dir/random"
chown -h 7:8 "$S/abs-link"
setfattr -n user.comment -v 'a value' "$S/dir/file"
setfattr -n trusted.kd -v 't' "$S/dir"
setfattr -n security.capability -v 0sAQAAAgAgAAAAAAAAAAAAAAAAAAA= "$S/dir/suid"
find "$S" -mindepth 1 -exec touch -h -d @1234567890 {} +
touch -d @987654321 "$S/dir/sub" "$S/dir"

# ---- round trips ----
"$LT" write "$S" "$TMP/l.tgz" >"$TMP/w.stats" 2>"$TMP/err"
check "write: succeeds" test -s "$TMP/l.tgz"
check "write: gzip -t accepts the layer" gzip -t "$TMP/l.tgz"
check "write: GNU tar lists the layer" tar -tvzf "$TMP/l.tgz"
if have bsdtar; then check "write: bsdtar lists the layer" bsdtar -tvf "$TMP/l.tgz"; fi
d=$(sha256sum <"$TMP/l.tgz" | cut -c1-64)
t=$(gzip -dc "$TMP/l.tgz" | sha256sum | cut -c1-64)
check "write: digest is the sha256 of the bytes" test "$(stat_of "$TMP/w.stats" digest)" = "sha256:$d"
check "write: diff_id is the sha256 of the tar" test "$(stat_of "$TMP/w.stats" diff_id)" = "sha256:$t"
check "write: size is the byte count" test "$(stat_of "$TMP/w.stats" size)" = "$(wc -c <"$TMP/l.tgz")"
check "write: hard link written as a link" sh -c "tar -tvzf '$TMP/l.tgz' | grep -q '^h.* dir/hardlink link to dir/file'"
check "write: entries sorted, parents first" sh -c \
    "tar -tzf '$TMP/l.tgz' | head -n 4 | tr '\n' ' ' | grep -q '^abs-link bad.*utf8 blk chr '"

mkdir "$TMP/x1"
"$LT" extract "$TMP/l.tgz" "$TMP/x1" >"$TMP/x.stats" 2>"$TMP/err"
check "extract: succeeds" test $? -eq 0
same_tree "round trip: types, modes, owners, mtimes, xattrs, links, devices" "$S" "$TMP/x1"
check "extract: same diff_id as write" test "$(stat_of "$TMP/x.stats" diff_id)" = "$(stat_of "$TMP/w.stats" diff_id)"
check "extract: same digest as write" test "$(stat_of "$TMP/x.stats" digest)" = "$(stat_of "$TMP/w.stats" digest)"

for seed in 1 2 3; do
    mkdir "$TMP/p$seed"
    "$LT" push "$TMP/l.tgz" "$TMP/p$seed" "$seed" >"$TMP/p.stats" 2>"$TMP/err"
    check "push form (chunks seed $seed): same digests" \
        test "$(stat_of "$TMP/p.stats" diff_id)" = "$(stat_of "$TMP/w.stats" diff_id)"
done
same_tree "push form: same tree as pull" "$S" "$TMP/p1"

mkdir "$TMP/g1"
tar --xattrs --xattrs-include='*' -xzf "$TMP/l.tgz" -C "$TMP/g1"
same_tree "GNU tar extracts our layer to the same tree" "$S" "$TMP/g1"

"$LT" write "$S" "$TMP/plain.tar" --plain >"$TMP/w2.stats"
mkdir "$TMP/nc"
"$LT" extract "$TMP/l.tgz" "$TMP/nc" --no-chown >/dev/null 2>"$TMP/err"
check "extract KD_LAYER_NO_CHOWN: files stay the caller's, modes kept" sh -c \
    "test \$(stat -c %u:%g '$TMP/nc/dir/file') = 0:0 && test \$(stat -c %a '$TMP/nc/dir/suid') = 4755"

check "write --plain: an uncompressed tar with the same diff_id" \
    test "$(stat_of "$TMP/w2.stats" diff_id)" = "$(stat_of "$TMP/w.stats" diff_id)" -a \
    "$(stat_of "$TMP/w2.stats" gzip)" = 0
mkdir "$TMP/x2"
"$LT" extract "$TMP/plain.tar" "$TMP/x2" >/dev/null
same_tree "extract plain tar" "$S" "$TMP/x2"

# ---- GNU tar and multi-member gzip inputs ----
for fmt in gnu posix; do
    tar --format=$fmt --xattrs --xattrs-include='*' --sparse -czf "$TMP/gnu-$fmt.tgz" -C "$S" . 2>/dev/null
    mkdir "$TMP/gx-$fmt"
    "$LT" extract "$TMP/gnu-$fmt.tgz" "$TMP/gx-$fmt" >"$TMP/gx.stats" 2>"$TMP/err"
    same_tree "GNU tar --format=$fmt layer extracts to the same tree" "$S" "$TMP/gx-$fmt"
    t=$(gzip -dc "$TMP/gnu-$fmt.tgz" | sha256sum | cut -c1-64)
    check "GNU tar --format=$fmt: diff_id matches gunzip" test "$(stat_of "$TMP/gx.stats" diff_id)" = "sha256:$t"
done
tar --xattrs --xattrs-include='*' -cf "$TMP/m.tar" -C "$S" .
n=$(wc -c <"$TMP/m.tar")
{ head -c $((n / 3)) "$TMP/m.tar" | gzip -1; tail -c +$((n / 3 + 1)) "$TMP/m.tar" | gzip -9; } >"$TMP/multi.tgz"
mkdir "$TMP/mm"
"$LT" push "$TMP/multi.tgz" "$TMP/mm" 5 >"$TMP/mm.stats" 2>"$TMP/err"
same_tree "multi-member gzip extracts whole" "$S" "$TMP/mm"
check "multi-member gzip: diff_id over all members" \
    test "$(stat_of "$TMP/mm.stats" diff_id)" = "sha256:$(sha256sum <"$TMP/m.tar" | cut -c1-64)"

# ---- whiteouts both ways ----
U=$TMP/upper
mkdir -p "$U/etc" "$U/opq/new" "$U/proc/1" "$U/dev"
mknod "$U/etc/gone" c 0 0
setfattr -n trusted.overlay.opaque -v y "$U/opq"
setfattr -n trusted.overlay.origin -v x "$U/etc"
setfattr -n user.keep -v 1 "$U/etc"
: >"$U/opq/new/file"
: >"$U/proc/1/status"
: >"$U/dev/null"
: >"$U/etc/xwo"
setfattr -n trusted.overlay.whiteout -v '' "$U/etc/xwo"
"$LT" write "$U" "$TMP/u.tgz" --exclude proc/ --exclude /dev >/dev/null 2>"$TMP/err"
tar -tzf "$TMP/u.tgz" >"$TMP/u.list"
check "write: char device 0:0 becomes .wh.NAME" grep -qx 'etc/.wh.gone' "$TMP/u.list"
check "write: empty file with trusted.overlay.whiteout becomes .wh.NAME" grep -qx 'etc/.wh.xwo' "$TMP/u.list"
check "write: opaque directory gets .wh..wh..opq after it" \
    sh -c "grep -n . '$TMP/u.list' | grep -q '^[0-9]*:opq/.wh..wh..opq$' && \
           test \$(grep -n 'opq/.wh..wh..opq' '$TMP/u.list' | cut -d: -f1) -eq \$((\$(grep -nx 'opq/' '$TMP/u.list' | cut -d: -f1) + 1))"
check "write: exclude P/ keeps P, drops its contents" sh -c "grep -qx 'proc/' '$TMP/u.list' && ! grep -q 'proc/1' '$TMP/u.list'"
check "write: exclude P drops P" sh -c "! grep -q '^dev' '$TMP/u.list'"
mkdir "$TMP/ug"
tar --xattrs --xattrs-include='*' -xzf "$TMP/u.tgz" -C "$TMP/ug"
check "write: trusted.overlay.* xattrs left out" sh -c "! getfattr -R -d -m - '$TMP/ug' 2>/dev/null | grep -q overlay"
check "write: other xattrs kept" sh -c "getfattr -n user.keep '$TMP/ug/etc' | grep -q 1"
mkdir "$TMP/ux"
"$LT" extract "$TMP/u.tgz" "$TMP/ux" >"$TMP/ux.stats"
check "extract: .wh.NAME becomes a char device 0:0" \
    test "$(stat -c '%F %t:%T' "$TMP/ux/etc/gone")" = "character special file 0:0"
check "extract: .wh..wh..opq sets trusted.overlay.opaque=y" \
    sh -c "getfattr -n trusted.overlay.opaque '$TMP/ux/opq' | grep -q '\"y\"'"
check "extract: whiteouts counted" test "$(stat_of "$TMP/ux.stats" whiteouts)" = 3
check "extract: no .wh. files left" sh -c "! find '$TMP/ux' -name '.wh.*' | grep -q ."

"$LT" hostile whiteouts "$TMP/wh.tar" >/dev/null
mkdir "$TMP/wh"
"$LT" extract "$TMP/wh.tar" "$TMP/wh" >/dev/null 2>"$TMP/err"
check "extract: whiteout in an implicit parent" test -c "$TMP/wh/implicit/x"
check "extract: aufs .wh..wh.plnk metadata skipped" test ! -e "$TMP/wh/.wh..wh.plnk"

# ---- reproducible writes ----
"$LT" write "$S" "$TMP/r1.tgz" --mtime fixed 0 >/dev/null
touch "$S/dir/file"
"$LT" write "$S" "$TMP/r2.tgz" --mtime fixed 0 >/dev/null
check "write --mtime fixed: byte-identical layers" cmp -s "$TMP/r1.tgz" "$TMP/r2.tgz"
check "write --mtime fixed: every entry has that mtime" sh -c \
    "! tar --full-time -tvzf '$TMP/r1.tgz' | grep -v ' 1970-01-01 00:00:00 '"
"$LT" write "$S" "$TMP/r3.tgz" --mtime clamp 1000000000 >/dev/null
check "write --mtime clamp: later mtimes clamped, earlier kept" sh -c \
    "tar --full-time -tvzf '$TMP/r3.tgz' | grep -q ' 2001-09-09 01:46:40 dir/file' && \
     tar --full-time -tvzf '$TMP/r3.tgz' | grep -q ' 2001-04-19 04:25:21 dir/sub/$'"
touch -d @1234567890 "$S/dir/file"

# ---- real OCI tools: umoci unpack (Go's gzip, tar, diff_id check), skopeo ----
oci_layout() { # DIR LAYER STATS: a one-layer OCI image layout
    mkdir -p "$1/blobs/sha256"
    ld=$(stat_of "$3" digest)
    cp "$2" "$1/blobs/sha256/${ld#sha256:}"
    printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
        "$(stat_of "$3" diff_id)" >"$1/config"
    cd_=$(sha256sum <"$1/config" | cut -c1-64)
    mv "$1/config" "$1/blobs/sha256/$cd_"
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
        "$cd_" "$(wc -c <"$1/blobs/sha256/$cd_")" "$ld" "$(stat_of "$3" size)" >"$1/m"
    md=$(sha256sum <"$1/m" | cut -c1-64)
    printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"t"}}]}' \
        "$md" "$(wc -c <"$1/m")" >"$1/index.json"
    mv "$1/m" "$1/blobs/sha256/$md"
    printf '{"imageLayoutVersion":"1.0.0"}' >"$1/oci-layout"
}
if have umoci; then
    oci_layout "$TMP/oci" "$TMP/l.tgz" "$TMP/w.stats"
    if umoci unpack --image "$TMP/oci:t" "$TMP/bundle" >"$TMP/out" 2>"$TMP/err"; then
        ok "umoci unpacks our layer (verifies digest and diff_id)"
        # umoci keeps xattrs it knows; compare everything but xattrs
        tree_sig "$S" | grep -a '|' >"$TMP/s1"
        tree_sig "$TMP/bundle/rootfs" | grep -a '|' >"$TMP/s2"
        if cmp -s "$TMP/s1" "$TMP/s2"; then ok "umoci: same tree"; else
            not_ok "umoci: same tree" "$(diff "$TMP/s1" "$TMP/s2" | head)"; fi
    else
        not_ok "umoci unpacks our layer (verifies digest and diff_id)" "$(head -c 600 "$TMP/err")"
    fi
else
    skip umoci "umoci not installed"
fi
if have skopeo && have umoci; then
    # docker save form: skopeo writes the layer uncompressed into the archive
    if skopeo copy -q "oci:$TMP/oci:t" "docker-archive:$TMP/da.tar:t:latest" 2>"$TMP/err"; then
        mkdir "$TMP/da" "$TMP/dx"
        tar -xf "$TMP/da.tar" -C "$TMP/da"
        layer=$(sed 's/.*"Layers":\["\([^"]*\)".*/\1/' "$TMP/da/manifest.json")
        "$LT" extract "$TMP/da/$layer" "$TMP/dx" >"$TMP/dx.stats" 2>"$TMP/err"
        same_tree "docker-archive (skopeo) layer extracts to the same tree" "$S" "$TMP/dx"
        check "docker-archive layer: same diff_id" test "$(stat_of "$TMP/dx.stats" diff_id)" = "$(stat_of "$TMP/w.stats" diff_id)"
    else
        not_ok "skopeo copies our layout to docker-archive" "$(head -c 600 "$TMP/err")"
    fi
else
    skip skopeo "skopeo not installed"
fi

# ---- hostile layers: refused, entry named, nothing outside ----
# OUT is a directory beside the destination that must stay as it was
hostile() { # KIND PATTERN
    H=$TMP/h-$1
    mkdir -p "$H/dest" "$H/out"
    printf 'secret\n' >"$H/out/passwd"
    "$LT" hostile "$1" "$H/layer.tar" "$H/out"
    before=$(cd "$H" && find . -path ./dest -prune -o -printf '%p %s %T@\n' | sort | sha256sum)
    run "$LT" extract "$H/layer.tar" "$H/dest"
    after=$(cd "$H" && find . -path ./dest -prune -o -printf '%p %s %T@\n' | sort | sha256sum)
    if [ "$status" -ne 0 ] && grep -Eq -- "$2" "$TMP/err" && [ "$before" = "$after" ] &&
        grep -qx secret "$H/out/passwd" && ! find "$H/out" -newer "$H/layer.tar" | grep -q .; then
        ok "hostile $1: refused, names the entry, nothing outside"
    else
        not_ok "hostile $1: refused, names the entry, nothing outside" "status $status" \
            "stderr: $(cat "$TMP/err")" "outside changed: $([ "$before" = "$after" ] && echo no || echo YES)"
    fi
}
hostile dotdot 'entry "\.\./escaped": path escapes'
hostile abs 'entry "/escaped-abs": absolute path'
hostile dotdot-deep 'entry "a/\.\./\.\./escaped": path escapes'
hostile symlink-parent 'entry "l/passwd": a parent directory is a symlink'
hostile symlink-swap 'entry "d/escaped": a parent directory is a symlink'
hostile hardlink-abs 'entry "h": hard link target is outside'
hostile hardlink-dotdot 'entry "h": hard link target is outside'
hostile hardlink-symlink 'entry "h": hard link target is missing or behind a symlink'
hostile hardlink-missing 'entry "h": hard link target is missing'
hostile overlay-xattr 'entry "d/": carries an overlayfs xattr'
hostile whiteout-dotdot 'entry "\.wh\.\.\.": whiteout of an invalid name'

H=$TMP/h-sf
mkdir -p "$H/dest" "$H/out"
"$LT" hostile symlink-file "$H/l.tar" "$H/out"
"$LT" extract "$H/l.tar" "$H/dest" >/dev/null 2>"$TMP/err"
check "symlink replaced by a later file: file written in place, nothing outside" \
    sh -c "test -f '$H/dest/f' && ! test -L '$H/dest/f' && test ! -e '$H/out/escaped'"

"$LT" hostile dups "$TMP/dups.tar"
mkdir "$TMP/dups"
"$LT" extract "$TMP/dups.tar" "$TMP/dups" >/dev/null 2>"$TMP/err"
check "duplicates: the later entry wins (file, dir->file, file->dir, dir merge)" sh -c \
    "grep -qx second '$TMP/dups/f' && grep -qx 'file now' '$TMP/dups/d' && \
     test -f '$TMP/dups/e/x' && test -f '$TMP/dups/m/a' && test -f '$TMP/dups/m/b'"

"$LT" hostile names "$TMP/names.tar"
mkdir "$TMP/nx" "$TMP/ng"
"$LT" extract "$TMP/names.tar" "$TMP/nx" >/dev/null 2>"$TMP/err"
tar -xf "$TMP/names.tar" -C "$TMP/ng"
same_tree "names with newlines and invalid UTF-8: as GNU tar" "$TMP/ng" "$TMP/nx"

"$LT" hostile many "$TMP/many.tar"
mkdir "$TMP/many"
"$LT" extract "$TMP/many.tar" "$TMP/many" >"$TMP/many.stats" 2>"$TMP/err"
check "100,000 tiny files extracted" test "$(find "$TMP/many" -type f | wc -l)" -eq 100000
"$LT" write "$TMP/many" "$TMP/many.tgz" >"$TMP/many2.stats"
check "100,000 tiny files written back" test "$(stat_of "$TMP/many2.stats" files)" -eq 100000
rm -rf "$TMP/many" "$TMP/many.tar"

"$LT" hostile deep "$TMP/deep.tar"
mkdir "$TMP/deep"
"$LT" extract "$TMP/deep.tar" "$TMP/deep" >/dev/null 2>"$TMP/err"
check "1000-deep tree extracted" test -f "$TMP/deep/$(printf 'd/%.0s' $(seq 1 1000))bottom"
"$LT" write "$TMP/deep" "$TMP/deep.tgz" >"$TMP/deep.stats" 2>"$TMP/err"
check "1000-deep tree written back" test "$(stat_of "$TMP/deep.stats" entries)" -eq 1001

mkdir -p "$TMP/sp/src" "$TMP/sp/dest"
truncate -s 100G "$TMP/sp/src/huge"
printf 'end' | dd of="$TMP/sp/src/huge" bs=1 seek=$((100 * 1024 * 1024 * 1024 - 3)) conv=notrunc 2>/dev/null
tar --sparse -czf "$TMP/sp/l.tgz" -C "$TMP/sp/src" .
"$LT" extract "$TMP/sp/l.tgz" "$TMP/sp/dest" >/dev/null 2>"$TMP/err"
check "huge sparse file (100 GiB): full size, almost no disk" sh -c \
    "test \$(stat -c %s '$TMP/sp/dest/huge') -eq 107374182400 && test \$(du -k '$TMP/sp/dest/huge' | cut -f1) -lt 1024 && \
     test \"\$(tail -c 3 '$TMP/sp/dest/huge')\" = end"
rm -rf "$TMP/sp"

# ---- damaged and odd streams ----
n=$(wc -c <"$TMP/l.tgz")
head -c $((n / 2)) "$TMP/l.tgz" >"$TMP/trunc.tgz"
mkdir "$TMP/tr"
run "$LT" extract "$TMP/trunc.tgz" "$TMP/tr"
check "truncated gzip: refused" test "$status" -ne 0
expect_grep "truncated gzip: says so" err 'truncated gzip'
head -c $((n - 4)) "$TMP/l.tgz" >"$TMP/trunc2.tgz"
mkdir "$TMP/tr2"
run "$LT" push "$TMP/trunc2.tgz" "$TMP/tr2" 3
check "gzip without its trailer: refused" test "$status" -ne 0
{ cat "$TMP/l.tgz"; printf 'GARBAGE'; } >"$TMP/garb.tgz"
mkdir "$TMP/ga"
run "$LT" extract "$TMP/garb.tgz" "$TMP/ga"
check "garbage after the gzip stream: refused" test "$status" -ne 0
expect_grep "garbage after the gzip stream: says so" err 'data after the end of the gzip stream'
{ cat "$TMP/l.tgz"; head -c 100 /dev/zero; } >"$TMP/zeros.tgz"
mkdir "$TMP/ze"
run "$LT" extract "$TMP/zeros.tgz" "$TMP/ze"
check "zero padding after the gzip stream: accepted (as gzip does)" test "$status" -eq 0
{ cat "$TMP/plain.tar"; printf 'trailing junk'; } >"$TMP/garb.tar"
mkdir "$TMP/gt"
run "$LT" extract "$TMP/garb.tar" "$TMP/gt"
check "junk after the end of a plain tar: ignored but hashed" sh -c \
    "test $status -eq 0 && grep -q \"diff_id sha256:\$(sha256sum <'$TMP/garb.tar' | cut -c1-64)\" '$TMP/out'"
printf '\050\265\057\375rest' >"$TMP/z.zst"
mkdir "$TMP/zs"
run "$LT" extract "$TMP/z.zst" "$TMP/zs"
expect_grep "zstd stream: clear refusal" err 'zstd compression is not supported'
head -c 100000 /dev/urandom >"$TMP/noise"
mkdir "$TMP/no"
run "$LT" extract "$TMP/noise" "$TMP/no"
check "random bytes: refused" test "$status" -ne 0
# a gzip bomb: 1 GiB of zeros in ~1 MB; zero blocks end the tar at once,
# the rest is inflated only to be hashed, never written
head -c 1073741824 /dev/zero | gzip -1 >"$TMP/bomb.gz"
mkdir "$TMP/bomb"
run "$LT" push "$TMP/bomb.gz" "$TMP/bomb" 9
check "gzip bomb of zeros: ends, writes nothing, hashes all" sh -c \
    "test $status -eq 0 && grep -qx 'tar_size 1073741824' '$TMP/out' && test -z \"\$(ls -A '$TMP/bomb')\""
mkdir "$TMP/nodest-parent"
run "$LT" extract "$TMP/l.tgz" "$TMP/nodest-parent/missing"
expect_grep "missing destination: clear error" err 'cannot open layer destination'
