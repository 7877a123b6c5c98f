#!/bin/sh
# Faults during builds (make test-long):
# - kill -9 of `kdoctor build` at random points (pulling, unpacking, in a
#   RUN, in a COPY, writing layers), KD_KILLS times (default 12): after each,
#   no process of the build and no mount is left, and a clean rebuild on the
#   same store succeeds, after which no temp file is left either;
# - a full disk: the store on a 48 MiB tmpfs, a COPY of more than that: a
#   clear error, and the store builds again once the context fits;
# - a RUN that forks a daemon which never exits: the step ends, the build
#   succeeds, the daemon is gone;
# - a RUN that fills memory under `ulimit -v` (kdoctor sets no memory limit
#   of its own, see docs/security.md): the step fails clearly, the next
#   build succeeds.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostile/lib.sh"

needs_root_and docker-registry skopeo umoci || exit 0
KILLS=${KD_KILLS:-12}
SMALL=$TMP/small
cleanup() {
    umount "$SMALL" 2>/dev/null
    registry_stop_all
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'cleanup; exit 1' HUP INT PIPE TERM

registry_start A || exit 1
busybox_rootfs "$TMP/rootfs" faults
oci_image "$TMP/layout" 1 "$TMP/rootfs" >/dev/null 2>&1 &&
    skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$TMP/layout:1" \
        "docker://$REG_A/busybox:1" >/dev/null 2>&1 || { not_ok "set-up: push the base"; exit 0; }
export TMPDIR=$TMP/tmpdir # the sandbox's temp dirs land here
mkdir -p "$TMPDIR" "$TMP/ctx"
store=$TMP/store

# leftovers: processes of the builds (marked sleeps, kdoctor) and mounts
no_process_or_mount() {
    for _i in $(seq 1 50); do
        pgrep -f 'sleep 9876[0-9]' >/dev/null || pgrep -x kdoctor -P $$ >/dev/null || break
        sleep 0.1
    done
    _p=$(pgrep -af 'sleep 9876[0-9]')
    if [ -z "$_p" ] && [ "$(our_mounts)" = 0 ]; then
        return 0
    fi
    echo "processes: $_p; mounts: $(our_mounts)"
    return 1
}
no_temp() {
    _t=$(find "$store/tmp" "$TMPDIR" -mindepth 1 -maxdepth 1 2>/dev/null | head -n 3)
    [ -z "$_t" ] || { echo "left: $_t"; return 1; }
}

# ---- kill -9 at random points ----
head -c 30000000 /dev/urandom >"$TMP/ctx/big"
cat >"$TMP/ctx/Dockerfile" <<EOF
FROM $REG_A/busybox:1
ARG N
RUN echo "\$N" >/n && busybox sleep 0.5 && busybox head -c 20000000 /dev/urandom >/r
COPY big /big
RUN busybox sleep 98761 & busybox sha256sum /big >/sum; busybox sleep 0.5
EOF
survived=0
i=0
while [ $i -lt "$KILLS" ]; do
    i=$((i + 1))
    # a fresh store now and then, so that kills also land in pulls
    [ $((i % 4)) = 1 ] && rm -rf "$store"
    delay_ms=$(($(od -An -N2 -tu2 /dev/urandom) % 4000))
    "$KDOCTOR" build --progress plain --cache-dir "$store" --build-arg N=$i "$TMP/ctx" \
        >"$TMP/kill.out" 2>"$TMP/kill.err" &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    where=$(grep '^#[0-9]' "$TMP/kill.err" | tail -n 1 | cut -c1-60)
    if ! msg=$(no_process_or_mount); then
        not_ok "kill -9 #$i after ${delay_ms} ms ($where): no process or mount left" "$msg"
        continue
    fi
    run "$KDOCTOR" build --progress plain --cache-dir "$store" --build-arg N=$i "$TMP/ctx"
    if [ "$status" = 0 ] && msg=$(no_process_or_mount) && msg=$(no_temp); then
        survived=$((survived + 1))
    else
        not_ok "kill -9 #$i after ${delay_ms} ms ($where): the rebuild succeeds, nothing left" \
            "status $status" "${msg:-}" "$(tail -c 400 "$TMP/err")"
    fi
done
if [ "$survived" = "$KILLS" ]; then
    ok "kill -9 at $KILLS random points: nothing left, every rebuild succeeds"
fi
echo "# kill -9 survived: $survived of $KILLS"

# ---- a full disk ----
mkdir -p "$SMALL"
if mount -t tmpfs -o size=48m tmpfs "$SMALL"; then
    sstore=$SMALL/store
    "$KDOCTOR" import "$TMP/rootfs" -t base:1 --cache-dir "$sstore" >/dev/null 2>&1
    mkdir -p "$TMP/fctx"
    head -c 60000000 /dev/urandom >"$TMP/fctx/huge"
    printf 'FROM base:1\nCOPY huge /huge\nRUN cat /etc/mark\n' >"$TMP/fctx/Dockerfile"
    run "$KDOCTOR" build --progress plain --cache-dir "$sstore" "$TMP/fctx"
    if [ "$status" = 1 ] && grep -q 'Dockerfile:2: COPY' "$TMP/err" &&
        grep -qi 'no space left' "$TMP/err"; then
        ok "full disk: a clear error naming the step and ENOSPC"
    else
        not_ok "full disk: a clear error naming the step and ENOSPC" "status $status" \
            "$(tail -c 500 "$TMP/err")"
    fi
    left=$(find "$sstore/tmp" -mindepth 1 -maxdepth 1 | head -n 3)
    if [ -z "$left" ] && [ "$(findmnt -rn -t overlay -o OPTIONS | grep -cF "$TMP")" = 0 ]; then
        ok "full disk: the store's tmp is empty, no mount left"
    else
        not_ok "full disk: the store's tmp is empty, no mount left" "$left"
    fi
    head -c 1000000 /dev/urandom >"$TMP/fctx/huge"
    run "$KDOCTOR" build --progress plain --cache-dir "$sstore" "$TMP/fctx"
    if [ "$status" = 0 ] && grep -q ' faults$' "$TMP/err"; then ok "full disk: the store builds again"; else
        not_ok "full disk: the store builds again" "$(tail -c 500 "$TMP/err")"
    fi
    umount "$SMALL"
else
    skip "full disk" "cannot mount a tmpfs"
fi

# ---- a RUN that forks a daemon that never exits ----
"$KDOCTOR" import "$TMP/rootfs" -t base:1 --cache-dir "$store" >/dev/null 2>&1
mkdir -p "$TMP/dctx"
cat >"$TMP/dctx/Dockerfile" <<'EOF'
FROM base:1
RUN busybox setsid busybox sleep 98762 </dev/null >/dev/null 2>&1 & \
    (busybox sleep 98763 &) ; busybox nohup busybox sleep 98764 >/dev/null 2>&1 & echo spawned
RUN echo next
EOF
run "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/dctx"
if [ "$status" = 0 ] && grep -q ' spawned$' "$TMP/err" && grep -q ' next$' "$TMP/err"; then
    ok "daemons forked by a RUN: the step ends and the build goes on"
else
    not_ok "daemons forked by a RUN: the step ends and the build goes on" "$(tail -c 500 "$TMP/err")"
fi
if msg=$(no_process_or_mount) && msg=$(no_temp); then ok "daemons forked by a RUN: none outlives its step"; else
    not_ok "daemons forked by a RUN: none outlives its step" "$msg"
fi

# ---- a RUN that fills memory, under ulimit -v ----
mkdir -p "$TMP/mctx"
cat >"$TMP/mctx/Dockerfile" <<'EOF'
FROM base:1
RUN busybox awk 'BEGIN { s = "x"; while (1) s = s s }' && echo never
EOF
(ulimit -v 1000000 && "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/mctx") \
    >"$TMP/out" 2>"$TMP/err"
status=$?
if [ "$status" = 1 ] && grep -q 'Dockerfile:2: RUN' "$TMP/err" && ! grep -q '^#2 [0-9.]* never$' "$TMP/err"; then
    ok "a RUN filling memory under ulimit -v fails, naming the step"
else
    not_ok "a RUN filling memory under ulimit -v fails, naming the step" "status $status" \
        "$(tail -c 500 "$TMP/err")"
fi
run "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/dctx"
if [ "$status" = 0 ] && msg=$(no_process_or_mount) && msg=$(no_temp); then
    ok "after the memory hog: the next build succeeds, nothing left"
else
    not_ok "after the memory hog: the next build succeeds, nothing left" "${msg:-}" "$(tail -c 400 "$TMP/err")"
fi
