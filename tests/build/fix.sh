#!/bin/sh
# Issue 4's evidence that `lint --fix` keeps what an image does: golden
# cases of tests/fix/cases are built with kdoctor build as they are and as
# `kdoctor lint --fix` (their own config) rewrites them, and the two images
# must hold the same files (path, type, mode, owner, size, content hash,
# link target: imgdump) and the same config, apart from the package caches
# the fix removes; the fixed image must have no more layers (fewer when RUNs
# were joined), no more cache entries (fewer for a cache fix) and no more
# bytes. The base is busybox with stand-ins for the package managers
# (tests/build/fake-tool.sh) that leave their caches where the real ones do;
# every FROM of an image is that base. CASES=pattern runs a subset.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
. "$top/tests/build/lib.sh"

need_root fix-build "namespaces, overlayfs, owners"
need_tools fix-build "scripts/install-deps.sh installs it" umoci

# the cases whose commands the base can run (no COPY from a missing context)
cases="runs-join-basic runs-join-subshell runs-semicolon runs-join-crlf
runs-max-lines runs-join-comments-inside cache-apt cache-apk cache-pip cache-rpm"
# what the fixes may remove: the caches the stand-ins leave
caches='^/(var/lib/apt/lists/|var/cache/(apk|dnf|yum|microdnf|zypper)/|root/\.cache( |/)|root/\.npm/_cacache)'
golden=$top/tests/fix/cases
store=$TMP/store

root=$TMP/rootfs
make_rootfs "$root"
mkdir -p "$root/usr/local/bin" "$root/opt/bin"
cp "$top/tests/build/fake-tool.sh" "$root/usr/local/bin/fake-tool"
chmod 755 "$root/usr/local/bin/fake-tool"
for t in apt-get apk pip pip3 pip3.12 python3 npm dnf yum microdnf zypper useradd sudo git make \
    jq curl; do
    ln -s fake-tool "$root/usr/local/bin/$t"
done
ln -s /usr/local/bin/fake-tool "$root/opt/bin/tool"
echo 'ID=fakeos' >"$root/etc/os-release"
if ! "$KDOCTOR" import "$root" -t kdfix-base:1 --cache-dir "$store" >"$TMP/import.log" 2>&1; then
    not_ok "fix-build: import the base" "$(tail -n 5 "$TMP/import.log")"
    exit 0
fi

# dump NAME VARIANT: builds $TMP/NAME/VARIANT and dumps the image into
# $TMP/NAME.VARIANT.{tree,config}; sets layers and bytes
dump() {
    d=$TMP/$1/$2 out=$TMP/$1/$2.oci
    if ! "$KDOCTOR" build --progress plain --cache-dir "$store" --oci-layout "$out" -t "$1:1" \
        "$d" >"$d.log" 2>&1; then
        not_ok "fix-build: $1: the $2 Dockerfile builds" "$(tail -n 15 "$d.log")"
        return 1
    fi
    "$IMGDUMP" config "$out" 1 >"$TMP/$1.$2.config"
    layers=$("$IMGDUMP" layers "$out" 1 | grep -c '^layer ')
    bytes=$(find "$out/blobs" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
    umoci unpack --image "$out:1" "$TMP/u" >/dev/null 2>&1 || echo "umoci cannot unpack" >"$TMP/u.err"
    "$IMGDUMP" tree "$TMP/u/rootfs" >"$TMP/$1.$2.tree"
    rm -rf "$TMP/u" "$out"
}

# run_layers LOG: how many RUN steps of a build made a layer (a RUN that
# changes no file makes none)
run_layers() {
    awk '/^#[0-9]+ \[.*\] RUN / { run[$1] = 1 }
         / DONE .* layer [0-9]/ && run[$1] { n++ } END { print n + 0 }' "$1"
}

check() {
    name=$1
    mkdir -p "$TMP/$name/orig"
    # every FROM of an image (a name with a tag) becomes the base
    sed -E 's#^(FROM[[:space:]]+)[^[:space:]]*:[^[:space:]]*#\1kdfix-base:1#' \
        "$golden/$name.Dockerfile" >"$TMP/$name/orig/Dockerfile"
    cp -R "$TMP/$name/orig" "$TMP/$name/fixed"
    cfg=--no-config
    [ -f "$golden/$name.kdoctor.yaml" ] && cfg="--config=$golden/$name.kdoctor.yaml"
    "$KDOCTOR" lint "$cfg" -q --failure-threshold none --fix "$TMP/$name/fixed/Dockerfile" \
        >/dev/null 2>&1
    if cmp -s "$TMP/$name/orig/Dockerfile" "$TMP/$name/fixed/Dockerfile"; then
        not_ok "fix-build: $name: --fix changes the file" "(else the case shows nothing)"
        return
    fi
    dump "$name" orig || return
    ol=$layers ob=$bytes
    dump "$name" fixed || return
    fl=$layers fb=$bytes
    grep -Ev "$caches" "$TMP/$name.orig.tree" >"$TMP/$name.orig.kept"
    grep -Ev "$caches" "$TMP/$name.fixed.tree" >"$TMP/$name.fixed.kept"
    oc=$(grep -Ec "$caches" "$TMP/$name.orig.tree") fc=$(grep -Ec "$caches" "$TMP/$name.fixed.tree")
    why=
    diff "$TMP/$name.orig.kept" "$TMP/$name.fixed.kept" >"$TMP/$name.diff" ||
        why="files differ (diff original fixed): $(head -n 20 "$TMP/$name.diff")"
    cmp -s "$TMP/$name.orig.config" "$TMP/$name.fixed.config" ||
        why="$why configs differ: $(diff "$TMP/$name.orig.config" "$TMP/$name.fixed.config" | head -n 10)"
    runs_o=$(grep -c '^[[:space:]]*RUN' "$TMP/$name/orig/Dockerfile")
    runs_f=$(grep -c '^[[:space:]]*RUN' "$TMP/$name/fixed/Dockerfile")
    made=$(run_layers "$TMP/$name/orig.log")
    # joined RUNs: fewer layers, when two or more of them made one
    if [ "$fl" -gt "$ol" ] || { [ "$runs_f" -lt "$runs_o" ] && [ "$made" -ge 2 ] && [ "$fl" -ge "$ol" ]; }; then
        why="$why layers: $ol before, $fl after ($runs_o RUNs before, $runs_f after; $made RUNs made a layer)"
    fi
    if [ "$fc" -gt "$oc" ] || { [ "${name#cache-}" != "$name" ] && [ "$fc" -ge "$oc" ]; }; then
        why="$why cache entries: $oc before, $fc after"
    fi
    [ "$fb" -le "$ob" ] || why="$why bytes: $ob before, $fb after"
    if [ -z "$why" ]; then
        ok "fix-build: $name: same files and config; layers $ol -> $fl, cache entries $oc -> $fc, bytes $ob -> $fb"
    else
        not_ok "fix-build: $name: same files and config, no more layers, caches or bytes" "$why"
    fi
}

for name in $cases; do
    case "$name" in *"${CASES:-}"*) check "$name" ;; esac
done
