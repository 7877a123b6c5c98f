#!/bin/sh
# Load (make test-long):
# - KD_BUILDS (default 8) builds at once on one fresh store, all pulling the
#   same base from a real docker-registry, each with its own RUN and COPY:
#   all succeed, each image holds its own files, every blob in the store
#   hashes to its name, nothing is left in the store's tmp;
# - KD_LINTS (default 1000) `kdoctor lint --format json` runs, 16 at a
#   time, over the shared corpus (../shared/corpus/real, files reused when
#   it has fewer): each output and exit status equals the same file's run
#   alone.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostile/lib.sh"

needs_root_and docker-registry skopeo umoci jq || exit 0
BUILDS=${KD_BUILDS:-8}
LINTS=${KD_LINTS:-1000}

# ---- concurrent builds on one store ----
registry_start A || exit 1
busybox_rootfs "$TMP/rootfs" load
oci_image "$TMP/layout" 1 "$TMP/rootfs" >/dev/null 2>&1 &&
    skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$TMP/layout:1" \
        "docker://$REG_A/busybox:1" >/dev/null 2>&1 || { not_ok "set-up: push the base"; exit 0; }
store=$TMP/store
i=0
while [ $i -lt "$BUILDS" ]; do
    i=$((i + 1))
    mkdir -p "$TMP/ctx$i"
    head -c 2000000 /dev/urandom >"$TMP/ctx$i/data"
    sha256sum <"$TMP/ctx$i/data" | cut -c1-64 >"$TMP/want$i"
    cat >"$TMP/ctx$i/Dockerfile" <<EOF
FROM $REG_A/busybox:1
RUN echo $i >/id && busybox sleep 0.2
COPY data /data
RUN busybox sha256sum /data | busybox cut -c1-64 >/sum
EOF
    "$KDOCTOR" build --progress plain --cache-dir "$store" -t "load-$i:1" "$TMP/ctx$i" \
        >"$TMP/out$i" 2>"$TMP/err$i" &
    eval "pid$i=$!"
done
failed=0
i=0
while [ $i -lt "$BUILDS" ]; do
    i=$((i + 1))
    eval "wait \$pid$i" || { failed=$((failed + 1)); echo "# build $i: $(tail -n 3 "$TMP/err$i")"; }
done
if [ "$failed" = 0 ]; then ok "$BUILDS concurrent builds on one store: all succeed"; else
    not_ok "$BUILDS concurrent builds on one store: all succeed" "$failed failed"
fi
# each image holds its own /id and /sum (read from the store's layers)
wrong=0
i=0
while [ $i -lt "$BUILDS" ]; do
    i=$((i + 1))
    printf 'FROM load-%s:1\nRUN cat /id /sum\n' "$i" >"$TMP/check.Dockerfile"
    run "$KDOCTOR" build --progress plain --cache-dir "$store" -f "$TMP/check.Dockerfile" "$TMP/ctx$i"
    grep -q " $i\$" "$TMP/err" && grep -q " $(cat "$TMP/want$i")\$" "$TMP/err" || wrong=$((wrong + 1))
done
if [ "$wrong" = 0 ]; then ok "$BUILDS concurrent builds: each image holds its own files"; else
    not_ok "$BUILDS concurrent builds: each image holds its own files" "$wrong wrong"
fi
bad=0
for b in "$store"/blobs/sha256/*; do
    [ "$(sha256sum <"$b" | cut -c1-64)" = "$(basename "$b")" ] || bad=$((bad + 1))
done
if [ "$bad" = 0 ]; then ok "concurrent builds: every blob hashes to its name"; else
    not_ok "concurrent builds: every blob hashes to its name" "$bad bad"
fi
store_clean "concurrent builds" "$store"
echo "# concurrent builds held: $((BUILDS - failed)) of $BUILDS"

# ---- lint runs in parallel on the corpus ----
corpus=$KDOCTOR_CORPUS/real
if [ ! -d "$corpus" ]; then
    skip "parallel lint" "no corpus at $corpus"
    exit 0
fi
find "$corpus" -type f -name '*Dockerfile*' | LC_ALL=C sort >"$TMP/files"
nfiles=$(wc -l <"$TMP/files")
# the expected result of each file: a run alone
mkdir -p "$TMP/want" "$TMP/got"
n=0
while IFS= read -r f; do
    n=$((n + 1))
    "$KDOCTOR" lint --no-config --format json "$f" >"$TMP/want/$n" 2>&1
    echo $? >>"$TMP/want/$n"
done <"$TMP/files"
# LINTS runs, 16 at a time; run k lints file (k mod nfiles)
seq 1 "$LINTS" | xargs -P 16 -I{} sh -c '
    k=$1; n=$(( (k - 1) % '"$nfiles"' + 1 ))
    f=$(sed -n "${n}p" "'"$TMP"'/files")
    "'"$KDOCTOR"'" lint --no-config --format json "$f" >"'"$TMP"'/got/$k" 2>&1
    echo $? >>"'"$TMP"'/got/$k"' _ {}
mismatch=0
k=0
while [ $k -lt "$LINTS" ]; do
    k=$((k + 1))
    n=$(((k - 1) % nfiles + 1))
    cmp -s "$TMP/want/$n" "$TMP/got/$k" || mismatch=$((mismatch + 1))
done
if [ "$mismatch" = 0 ]; then ok "$LINTS parallel lint runs on $nfiles corpus files: each as run alone"; else
    not_ok "$LINTS parallel lint runs on $nfiles corpus files: each as run alone" "$mismatch differ"
fi
echo "# parallel lint runs matching: $((LINTS - mismatch)) of $LINTS"
