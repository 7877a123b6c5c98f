#!/bin/sh
# The chroot fallback (for machines without overlayfs or namespaces), forced
# with KDOCTOR_SANDBOX=chroot: every case of tests/build/cases is built both
# ways, and the images must have the same file tree (imgdump: paths, types,
# modes, owners, sizes, content hashes, link targets), the same config and
# the same layer count. The fallback finds a step's changes with a metadata
# snapshot instead of the overlay's upper dir, so this checks that the
# snapshot sees every write, removal, replaced dir and hard link the overlay
# sees. Then: it says once that it is the fallback; what a chroot cannot do
# (RUN --mount) fails with a clear error; a failing RUN leaves nothing
# behind. Last, daemons (setsid, double fork) that keep the step's output
# pipe open, with no PID namespace to end them: SIGINT, SIGTERM, a Ctrl-C
# to the whole process group, kill -9 of kdoctor, and a step that ends
# leaving them; the build must end (130 when interrupted) and no process
# of the step, temp file or mount may be left.
# CASES=pattern runs a subset of the cases.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
. "$top/tests/build/lib.sh"

need_root chroot "chroot, owners; the overlay side needs namespaces"
need_tools chroot "scripts/install-deps.sh installs it" umoci

cases_dir=$top/tests/build/cases
base=$TMP/base
ctx=$TMP/ctx
make_case_context "$ctx"
if ! busybox_layout "$base"; then
    not_ok "chroot: base image" "umoci could not make the base layout"
    exit 0
fi

# build MODE NAME ARGS: builds the case with KDOCTOR_SANDBOX=MODE and dumps
# its layer count, config and tree into $TMP/NAME.MODE.dump
build() {
    mode=$1 name=$2 args=$3
    sed "s|@BASE@|oci-layout://$base:1|g" "$cases_dir/$name.Dockerfile" >"$TMP/$name.df"
    out=$TMP/o-$mode-$name
    # shellcheck disable=SC2086
    if ! KDOCTOR_SANDBOX=$mode "$KDOCTOR" build --progress plain --cache-dir "$TMP/store-$mode" \
        -f "$TMP/$name.df" --oci-layout "$out" -t "$name:1" $args "$ctx" \
        >"$TMP/$name.$mode.log" 2>&1; then
        not_ok "chroot: $name: builds with KDOCTOR_SANDBOX=$mode" "$(tail -n 15 "$TMP/$name.$mode.log")"
        return 1
    fi
    {
        "$IMGDUMP" layers "$out" 1 | head -n 1
        "$IMGDUMP" config "$out" 1
        if umoci unpack --image "$out:1" "$TMP/u" >/dev/null 2>&1; then
            "$IMGDUMP" tree "$TMP/u/rootfs"
        else
            echo "umoci cannot unpack the image"
        fi
    } >"$TMP/$name.$mode.dump"
    rm -rf "$TMP/u" "$out"
}

n=0
for f in "$cases_dir"/*.Dockerfile; do
    name=$(basename "$f" .Dockerfile)
    case "$name" in *"${CASES:-}"*) ;; *) continue ;; esac
    args=""
    [ -f "$cases_dir/$name.args" ] && args=$(cat "$cases_dir/$name.args")
    build namespaces "$name" "$args" || continue
    build chroot "$name" "$args" || continue
    if diff "$TMP/$name.namespaces.dump" "$TMP/$name.chroot.dump" >"$TMP/$name.diff"; then
        n=$((n + 1))
    else
        not_ok "chroot: $name: the same image as with the overlay" "diff overlay chroot:" \
            "$(head -n 30 "$TMP/$name.diff")"
    fi
done
if [ "$n" -gt 0 ]; then
    ok "chroot: $n cases give the same tree, config and layer count as with the overlay"
else
    not_ok "chroot: the cases give the same images as with the overlay" "no case was compared"
fi

# ---- the notice, the refusals, nothing left ----
mkdir -p "$TMP/c2"
printf 'FROM oci-layout://%s:1\nRUN echo a > /a\nRUN echo b > /b\n' "$base" >"$TMP/c2/Dockerfile"
run env KDOCTOR_SANDBOX=chroot "$KDOCTOR" build --progress plain --cache-dir "$TMP/s2" "$TMP/c2"
if [ "$status" = 0 ] && [ "$(grep -c 'chroot' "$TMP/err")" = 1 ]; then
    ok "chroot: says once that steps run in a chroot"
else
    not_ok "chroot: says once that steps run in a chroot" "status $status" "$(head -n 20 "$TMP/err")"
fi
left=$(find "$TMP/s2/tmp" -mindepth 1 2>/dev/null | head -n 5)
if [ -z "$left" ]; then ok "chroot: the store's tmp is empty after the build"; else
    not_ok "chroot: the store's tmp is empty after the build" "$left"
fi

printf 'FROM oci-layout://%s:1\nRUN --mount=type=cache,target=/c true\n' "$base" >"$TMP/c2/Dockerfile"
run env KDOCTOR_SANDBOX=chroot "$KDOCTOR" build --progress plain --cache-dir "$TMP/s2" "$TMP/c2"
if [ "$status" = 1 ] && grep -q 'Dockerfile:2: RUN --mount.*needs mount namespaces' "$TMP/err"; then
    ok "chroot: RUN --mount is refused with the reason"
else
    not_ok "chroot: RUN --mount is refused with the reason" "status $status" "$(tail -n 5 "$TMP/err")"
fi

printf 'FROM oci-layout://%s:1\nRUN echo out; exit 4\n' "$base" >"$TMP/c2/Dockerfile"
run env KDOCTOR_SANDBOX=chroot "$KDOCTOR" build --progress plain --cache-dir "$TMP/s2" "$TMP/c2"
if [ "$status" = 1 ] && grep -q 'exit code: 4' "$TMP/err" &&
    [ -z "$(find "$TMP/s2/tmp" -mindepth 1 2>/dev/null | head -n 1)" ]; then
    ok "chroot: a failing RUN gives its exit code and leaves nothing"
else
    not_ok "chroot: a failing RUN gives its exit code and leaves nothing" "status $status" \
        "$(tail -n 5 "$TMP/err")"
fi

run env KDOCTOR_SANDBOX=bogus "$KDOCTOR" build "$TMP/c2"
if [ "$status" = 2 ]; then ok "chroot: KDOCTOR_SANDBOX=bogus is a usage error"; else
    not_ok "chroot: KDOCTOR_SANDBOX=bogus is a usage error" "status $status"
fi

# ---- daemons holding the output pipe: the subreaper kills them ----
# Each RUN leaves a setsid daemon and a double-forked one, both with the
# step's stdout and stderr; their argv carry the markers 98740-98742.
mkdir -p "$TMP/tmpdir"
daemons='setsid sleep 98741 & (setsid sh -c "sleep 98742 & exit" &)'

# gone PID: whether the process has ended (a zombie not yet waited for too)
gone() {
    case $(ps -o stat= -p "$1") in '' | Z*) return 0 ;; esac
    return 1
}

# wait_build PID: waits for a build in the background and sets $status;
# after 60 s (a guard against a hang, not a measure of speed) kills it and
# sets status "hung"
wait_build() {
    _i=0
    until gone "$1"; do
        _i=$((_i + 1))
        if [ "$_i" -gt 600 ]; then
            kill -9 "$1"
            wait "$1"
            status=hung
            return
        fi
        sleep 0.1
    done
    wait "$1"
    status=$?
}

# wait_daemons: until both daemons run (10 s at most)
wait_daemons() {
    for _i in $(seq 1 100); do
        pgrep -f 'sleep 98741' >/dev/null && pgrep -f 'sleep 98742' >/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# daemons_gone NAME: no process of the step is left (the survivors are
# killed after the report, by PID, so that one failure does not spoil the
# next checks)
daemons_gone() {
    left=$(pgrep -f 'sleep 9874[0-2]')
    if [ -z "$left" ]; then ok "$1: no process of the step is left"; else
        not_ok "$1: no process of the step is left" "$(pgrep -af 'sleep 9874[0-2]')"
        for p in $left; do kill -9 "$p"; done
    fi
}

# nothing_left NAME STORE: no process, temp file or mount is left
nothing_left() {
    daemons_gone "$1"
    left=$(find "$2/tmp" "$TMP/tmpdir" -mindepth 1 2>/dev/null | head -n 5)
    if [ -z "$left" ]; then ok "$1: no temp file is left"; else
        not_ok "$1: no temp file is left" "$left"
    fi
    if [ "$(mounts_under "$TMP")" = 0 ]; then ok "$1: no mount is left"; else
        not_ok "$1: no mount is left" "$(findmnt -rn -o TARGET | grep "^$TMP" | head -n 5)"
    fi
}

# chroot_build ARGS...: a chrooted build of $TMP/c2 in the background, its
# PID in $pid (exec: the PID is kdoctor's, a process group leader under
# setsid)
chroot_build() {
    KDOCTOR_SANDBOX=chroot TMPDIR="$TMP/tmpdir" "$@" "$KDOCTOR" build --progress plain \
        --cache-dir "$TMP/s2" "$TMP/c2" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
}

printf 'FROM oci-layout://%s:1\nRUN %s; echo started; sleep 98740\n' "$base" "$daemons" \
    >"$TMP/c2/Dockerfile"
for sig in INT TERM; do
    name="chroot: SIG$sig during a RUN that left daemons"
    chroot_build env
    wait_daemons || not_ok "$name: the daemons start" "$(tail -n 5 "$TMP/err")"
    kill -"$sig" "$pid"
    wait_build "$pid"
    if [ "$status" = 130 ] && grep -q 'build cancelled' "$TMP/err"; then
        ok "$name: the build ends, status 130"
    else
        not_ok "$name: the build ends, status 130" "status $status" "$(tail -n 5 "$TMP/err")"
    fi
    nothing_left "$name" "$TMP/s2"
done

# Ctrl-C at a terminal signals the whole process group: the runner too
name="chroot: Ctrl-C to the process group during a RUN that left daemons"
chroot_build setsid
wait_daemons || not_ok "$name: the daemons start" "$(tail -n 5 "$TMP/err")"
kill -INT "-$pid"
wait_build "$pid"
if [ "$status" = 130 ]; then ok "$name: the build ends, status 130"; else
    not_ok "$name: the build ends, status 130" "status $status" "$(tail -n 5 "$TMP/err")"
fi
nothing_left "$name" "$TMP/s2"

# kill -9 of kdoctor: the runner's parent-death signal makes it kill them
name="chroot: kill -9 of kdoctor during a RUN that left daemons"
chroot_build env
wait_daemons || not_ok "$name: the daemons start" "$(tail -n 5 "$TMP/err")"
kill -9 "$pid"
wait "$pid"
for _i in $(seq 1 600); do # the runner works after kdoctor is gone: 60 s guard
    pgrep -f 'sleep 9874[0-2]' >/dev/null || break
    sleep 0.1
done
daemons_gone "$name"
rm -rf "$TMP/s2/tmp" # what kill -9 leaves there is the next build's to sweep

# the step ends, its daemons would keep the output pipe open forever
printf 'FROM oci-layout://%s:1\nRUN %s; echo started\n' "$base" "$daemons" >"$TMP/c2/Dockerfile"
name="chroot: a RUN that ends leaving daemons"
chroot_build env
wait_build "$pid"
if [ "$status" = 0 ] && grep -q 'started' "$TMP/err"; then ok "$name: the build succeeds"; else
    not_ok "$name: the build succeeds" "status $status" "$(tail -n 5 "$TMP/err")"
fi
nothing_left "$name" "$TMP/s2"
