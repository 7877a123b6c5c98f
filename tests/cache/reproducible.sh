#!/bin/sh
# Reproducible images: the same inputs built on two clean stores, from two
# copies of the context whose files have different mtimes, give the same
# image digest with --reproducible (every timestamp the epoch: 0, or
# SOURCE_DATE_EPOCH); SOURCE_DATE_EPOCH alone only clamps; and as a
# control, plain builds a second apart differ.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
. "$top/tests/build/lib.sh"

need_root reproducible "namespaces, overlayfs"
need_tools reproducible "" umoci
busybox_layout "$TMP/base"
for c in a b; do
    mkdir -p "$TMP/ctx-$c/src"
    printf 'hello\n' >"$TMP/ctx-$c/src/hello.txt"
    printf '#!/bin/sh\necho hi\n' >"$TMP/ctx-$c/src/run.sh"
    chmod 755 "$TMP/ctx-$c/src/run.sh"
    cat >"$TMP/ctx-$c/Dockerfile" <<EOF
FROM oci-layout://$TMP/base:1 AS build
RUN mkdir -p /out && echo made > /out/made && touch /out/stamp
COPY src/ /out/src/

FROM oci-layout://$TMP/base:1
COPY --from=build /out/ /app/
RUN echo built > /app/built
WORKDIR /app
EOF
done
# different mtimes in the two copies, older and newer than the epoch used
touch -d '2001-01-01 00:00:00' "$TMP"/ctx-a/src/* "$TMP/ctx-a/src"
touch -d '2025-06-01 00:00:00' "$TMP"/ctx-b/src/* "$TMP/ctx-b/src"

# build STORE CTX [ARGS...]: the digest into $digest
build() {
    _s=$1 _c=$2
    shift 2
    run "$KDOCTOR" build --progress plain --cache-dir "$TMP/$_s" "$@" "$TMP/$_c"
    digest=$(cat "$TMP/out")
    [ "$status" = 0 ] || echo "# build failed: $(tail -n 3 "$TMP/err")"
}

# same NAME A B: two digests must be equal (and not empty)
same() {
    if [ -n "$2" ] && [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "$2" "$3"; fi
}

build s1 ctx-a --reproducible
d1=$digest
sleep 1
build s2 ctx-b --reproducible
same "--reproducible: the same digest on two clean stores" "$d1" "$digest"

export SOURCE_DATE_EPOCH=1700000000
build s3 ctx-a
d3=$digest
build s4 ctx-b
# ctx-a's files are older than the epoch (kept), ctx-b's newer (clamped)
if [ -n "$d3" ] && [ "$d3" != "$digest" ]; then
    ok "SOURCE_DATE_EPOCH alone clamps (older mtimes kept)"
else
    not_ok "SOURCE_DATE_EPOCH alone clamps (older mtimes kept)" "$d3"
fi
build s5 ctx-a --reproducible
d5=$digest
sleep 1
build s6 ctx-b --reproducible
same "--reproducible with SOURCE_DATE_EPOCH: the same digest on two clean stores" "$d5" "$digest"
if [ "$d5" != "$d1" ]; then ok "--reproducible uses SOURCE_DATE_EPOCH when set"; else
    not_ok "--reproducible uses SOURCE_DATE_EPOCH when set" "$d5"
fi
# a cached rebuild on a used store gives the clean store's digest
build s6 ctx-a --reproducible
same "--reproducible: a cached rebuild gives the same digest" "$d5" "$digest"
expect_grep "--reproducible: the rebuild was cached" err '^#[0-9]+ CACHED'
# a store that built with another epoch does not lend its layers
build s3 ctx-a --reproducible
same "--reproducible: a store used with other times gives the same digest" "$d5" "$digest"
unset SOURCE_DATE_EPOCH

# --normalize-owners/--normalize-modes: what a RUN made 1000:1000 and 4700
# is 0:0 and 0755 in the layer (and 0644 for a file without an x bit)
mkdir -p "$TMP/nctx"
cat >"$TMP/nctx/Dockerfile" <<EOF
FROM oci-layout://$TMP/base:1
RUN echo x > /f && chown 1000:1000 /f && chmod 4700 /f && echo y > /g && chmod 600 /g
EOF
# modes NAME: "NAME MODE OWNER" of /f and /g in the image's layers (tar -tv)
modes() {
    for b in "$TMP/$1"/blobs/sha256/*; do tar -tvzf "$b" 2>/dev/null; done |
        awk '$NF == "f" || $NF == "g" { print $NF, $1, $2 }' | sort
}
run "$KDOCTOR" build --progress plain --cache-dir "$TMP/n1" --oci-layout "$TMP/plain" "$TMP/nctx"
run "$KDOCTOR" build --progress plain --cache-dir "$TMP/n1" --oci-layout "$TMP/norm" \
    --normalize-owners --normalize-modes "$TMP/nctx"
expect_grep "normalize: not taken from the plain build's cache" err '^#2 DONE'
got=$(modes plain | tr '\n' ' ')
if [ "$got" = "f -rws------ 1000/1000 g -rw------- 0/0 " ]; then ok "normalize: off by default"; else
    not_ok "normalize: off by default" "$got"
fi
got=$(modes norm | tr '\n' ' ')
if [ "$got" = "f -rwxr-xr-x 0/0 g -rw-r--r-- 0/0 " ]; then ok "normalize: owners 0:0, modes 0755/0644"; else
    not_ok "normalize: owners 0:0, modes 0755/0644" "$got"
fi

build s7 ctx-a
d7=$digest
sleep 1.1
build s8 ctx-a
if [ -n "$d7" ] && [ "$d7" != "$digest" ]; then
    ok "control: plain builds a second apart differ (their times)"
else
    not_ok "control: plain builds a second apart differ (their times)" "$d7" "$digest"
fi
exit 0
