#!/bin/sh
# kdoctor cache ls | prune | warm: ls shows the entries; prune with a large
# --keep-storage keeps them all, with a smaller one drops the least
# recently used first, without it drops every entry but keeps named images;
# prune waits for a running build and removes nothing it uses; warm puts a
# base into the store unpacked, so a build's first RUN unpacks nothing.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
. "$top/tests/build/lib.sh"

need_root cache-cmd "namespaces, overlayfs"
store=$TMP/store
busybox_store "$store"
for n in a b; do
    mkdir -p "$TMP/$n"
    cat >"$TMP/$n/Dockerfile" <<EOF
FROM kdtest-base:1
RUN head -c 1000000 /dev/urandom > /big-$n
RUN echo $n > /name
EOF
done
# build NAME: a build of $TMP/NAME; the steps as C (cached) / R (ran)
build() {
    run "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/$1"
    steps=$(awk '/^#[0-9]+ \[.*\] RUN/ { want = $1; next }
         want != "" && $1 == want { printf "%s", ($2 == "CACHED" ? "C" : "R"); want = "" }' "$TMP/err")
}
usage() { "$KDOCTOR" cache ls --cache-dir "$store" | sed -n 's/.*(\([0-9]*\) bytes.*/\1/p'; }

build a
if [ "$status" = 0 ]; then ok "setup: a builds"; else not_ok "setup: a builds" "$(tail -n 3 "$TMP/err")"; fi
build b
build b
if [ "$steps" = CC ]; then ok "setup: b is cached"; else not_ok "setup: b is cached" "$steps"; fi

run "$KDOCTOR" cache ls --cache-dir "$store"
expect_grep "ls: lists the entries with their step" out 'RUN /bin/sh -c echo b > /name'
expect_grep "ls: counts them" out '^4 entries; the store holds'

run "$KDOCTOR" cache prune --keep-storage 1GB --cache-dir "$store"
expect_grep "prune --keep-storage 1GB: removes no entry" out '^removed 0 entries, .* 4 entries kept'
build a
if [ "$steps" = CC ]; then ok "prune --keep-storage 1GB: a still cached"; else
    not_ok "prune --keep-storage 1GB: a still cached" "$steps"
fi
build b # b is now the most recently used

# a little less than what is there: a (used before b) goes, b stays
before=$(usage)
keep=$((before - 500000))
run "$KDOCTOR" cache prune --keep-storage "$keep" --cache-dir "$store"
after=$(usage)
if [ "$status" = 0 ] && [ "$after" -le "$keep" ]; then ok "prune --keep-storage: the store fits"; else
    not_ok "prune --keep-storage: the store fits" "status $status, $before -> $after (keep $keep)" \
        "$(cat "$TMP/out" "$TMP/err")"
fi
build b
if [ "$steps" = CC ]; then ok "prune --keep-storage: the most recently used stay"; else
    not_ok "prune --keep-storage: the most recently used stay" "$steps"
fi
build a
if [ "$steps" = RR ]; then ok "prune --keep-storage: the least recently used go"; else
    not_ok "prune --keep-storage: the least recently used go" "$steps"
fi

run "$KDOCTOR" cache prune --cache-dir "$store"
run "$KDOCTOR" cache ls --cache-dir "$store"
expect_grep "prune: every entry goes" out '^0 entries'
run "$KDOCTOR" images --cache-dir "$store"
expect_grep "prune: named images stay" out 'kdtest-base:1'
build a
if [ "$status" = 0 ] && [ "$steps" = RR ]; then ok "prune: a build after it runs"; else
    not_ok "prune: a build after it runs" "status $status, $steps"
fi

expect_status "prune --keep-storage abc: a usage error" 2 \
    "$KDOCTOR" cache prune --keep-storage abc --cache-dir "$store"
expect_status "cache frob: a usage error" 2 "$KDOCTOR" cache frob

# prune waits for a running build: the build's layers are not pulled away
cat >"$TMP/a/Dockerfile" <<'EOF'
FROM kdtest-base:1
RUN sleep 2 && echo slow > /slow
RUN cat /slow /big-a 2>/dev/null | wc -c > /count
EOF
rm -rf "$store/layers" # the build must unpack: its layers are new and in use
"$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/a" >"$TMP/bout" 2>"$TMP/berr" &
bpid=$!
wait_grep 'RUN sleep 2' "$TMP/berr"
"$KDOCTOR" cache prune --cache-dir "$store" >"$TMP/pout" 2>&1
pst=$?
# the build holds the store until its export is done; the process itself
# may take longer to exit (under ASan, the leak check), so what tells is
# whether the export had begun when prune returned
if grep -q 'exporting' "$TMP/berr"; then waited=yes; else waited=no; fi
wait "$bpid"
bst=$?
if [ "$pst" = 0 ] && [ "$waited" = yes ] && [ "$bst" = 0 ]; then
    ok "prune waits for the running build, which succeeds"
else
    not_ok "prune waits for the running build, which succeeds" \
        "prune $pst, the build had reached its export when prune ended: $waited, build $bst" \
        "$(tail -n 3 "$TMP/berr")"
fi

# warm: a base from an OCI layout, unpacked ahead of the build
if have umoci; then
    make_base_layout "$TMP/base" "$TMP/rootfs"
    run "$KDOCTOR" cache warm --cache-dir "$TMP/wstore" "oci-layout://$TMP/base:1"
    if [ "$status" = 0 ] && grep -q "^sha256:[0-9a-f]* oci-layout://" "$TMP/out"; then
        ok "warm: prints the digest"
    else
        not_ok "warm: prints the digest" "status $status" "$(cat "$TMP/out" "$TMP/err")"
    fi
    n=$(find "$TMP/wstore/layers/sha256" -mindepth 1 -maxdepth 1 -type d | wc -l)
    if [ "$n" -ge 1 ]; then ok "warm: the layers are unpacked"; else not_ok "warm: the layers are unpacked" "$n"; fi
    mkdir -p "$TMP/w"
    printf 'FROM oci-layout://%s:1\nRUN echo hi > /hi\n' "$TMP/base" >"$TMP/w/Dockerfile"
    run "$KDOCTOR" build --progress plain --cache-dir "$TMP/wstore" "$TMP/w"
    if [ "$status" = 0 ] && ! grep -q unpacking "$TMP/err"; then
        ok "warm: the build after it unpacks nothing"
    else
        not_ok "warm: the build after it unpacks nothing" "$(grep -E 'unpacking|error' "$TMP/err")"
    fi
    expect_status "warm: a missing image fails" 1 \
        "$KDOCTOR" cache warm --cache-dir "$TMP/wstore" "oci-layout://$TMP/nothing:1"
else
    skip cache-warm "umoci is not installed"
fi
exit 0
