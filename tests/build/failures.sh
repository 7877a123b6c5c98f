#!/bin/sh
# Failing and interrupted builds: a failing RUN names FILE:LINE, its exit
# code and its output, and stops the build; Ctrl-C (SIGINT) and SIGTERM
# during a RUN stop it with status 130. Either way nothing is left behind:
# no mount, no process, no file in the store's tmp, no sandbox temp dir.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
. "$top/tests/build/lib.sh"

need_root failures "namespaces, overlayfs"

store=$TMP/store
busybox_store "$store"
mkdir -p "$TMP/ctx"
export TMPDIR="$TMP/tmpdir" # the sandbox's own temp dirs land here
mkdir -p "$TMPDIR"

# nothing_left NAME: the leak checks after a build
nothing_left() {
    left=$(find "$store/tmp" -mindepth 1 2>/dev/null | head -n 5)
    if [ -z "$left" ]; then ok "$1: the store's tmp is empty"; else
        not_ok "$1: the store's tmp is empty" "$left"
    fi
    left=$(find "$TMPDIR" -mindepth 1 2>/dev/null | head -n 5)
    if [ -z "$left" ]; then ok "$1: no sandbox temp dir is left"; else
        not_ok "$1: no sandbox temp dir is left" "$left"
    fi
    if [ "$(overlay_mounts)" = "$overlays_before" ] && [ "$(mounts_under "$TMP")" = 0 ]; then
        ok "$1: no mount is left"
    else
        not_ok "$1: no mount is left" "$(findmnt -rn -t overlay -o TARGET | head -n 5)"
    fi
    if pgrep -f "sleep 98765" >/dev/null; then
        not_ok "$1: no process is left" "$(pgrep -af 'sleep 98765')"
    else
        ok "$1: no process is left"
    fi
}
overlays_before=$(overlay_mounts)

# ---- a failing RUN ----
cat >"$TMP/ctx/Dockerfile" <<'EOF'
FROM kdtest-base:1
RUN echo first step > /first

RUN echo "about to fail"; echo "on stderr" >&2; \
    sleep 98765 & exit 3
RUN echo never > /never
EOF
run "$KDOCTOR" build --progress plain --cache-dir "$store" --timings "$TMP/fail.json" "$TMP/ctx"
if [ "$status" = 1 ]; then ok "failing RUN: exit status 1"; else
    not_ok "failing RUN: exit status 1" "status $status" "$(tail -n 5 "$TMP/err")"
fi
expect_grep "failing RUN: names FILE:LINE" err 'ctx/Dockerfile:4: RUN echo "about to fail"'
expect_grep "failing RUN: names the exit code" err 'did not complete successfully: exit code: 3'
expect_grep "failing RUN: shows the step's stdout" err '^about to fail$'
expect_grep "failing RUN: shows the step's stderr" err '^on stderr$'
if grep -q 'never' "$TMP/err" && ! grep -q 'RUN echo never' "$TMP/err"; then
    not_ok "failing RUN: later steps do not run"
elif grep -q '#4 \[4/4\]' "$TMP/err"; then
    not_ok "failing RUN: later steps do not run" "$(grep '#4' "$TMP/err")"
else
    ok "failing RUN: later steps do not run"
fi
if [ -s "$TMP/out" ]; then not_ok "failing RUN: nothing on stdout" "$(cat "$TMP/out")"; else
    ok "failing RUN: nothing on stdout"
fi
if grep -q '"status":	"failed"' "$TMP/fail.json" && grep -q '"exit_code":	3' "$TMP/fail.json"; then
    ok "failing RUN: the timings say failed, exit code 3"
else
    not_ok "failing RUN: the timings say failed, exit code 3" "$(head -c 400 "$TMP/fail.json")"
fi
nothing_left "failing RUN"

# ---- errors before any step runs ----
printf 'FROM kdtest-base:1\nRUN true\nCOPY missing.txt /\n' >"$TMP/ctx/Dockerfile"
run "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/ctx"
expect_grep "missing COPY source: names the line" err 'Dockerfile:3: COPY missing.txt /'
expect_grep "missing COPY source: names the file" err 'missing.txt'
nothing_left "missing COPY source"

printf 'FROM kdtest-no-such-image-here:1\n' >"$TMP/ctx/Dockerfile"
run "$KDOCTOR" build --progress plain --cache-dir "$store" --insecure-registry 127.0.0.1:1 \
    "$TMP/ctx"
if [ "$status" != 0 ]; then ok "unknown base image fails"; else not_ok "unknown base image fails"; fi
expect_grep "unknown base image: names the line" err 'Dockerfile:1: FROM kdtest-no-such-image-here:1'

# ---- interrupted during a RUN ----
cat >"$TMP/ctx/Dockerfile" <<'EOF'
FROM kdtest-base:1
RUN echo started; setsid sleep 98765 & sleep 98765; echo finished
EOF
for sig in INT TERM; do
    "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/ctx" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    wait_grep 'started' "$TMP/err"
    kill -"$sig" "$pid"
    wait "$pid"
    status=$?
    if [ "$status" = 130 ]; then ok "SIG$sig during RUN: exit status 130"; else
        not_ok "SIG$sig during RUN: exit status 130" "status $status" "$(tail -n 5 "$TMP/err")"
    fi
    expect_grep "SIG$sig during RUN: says it was cancelled" err 'build cancelled'
    if grep -q '^#2 [0-9.]* finished' "$TMP/err"; then not_ok "SIG$sig during RUN: the step was stopped"; else
        ok "SIG$sig during RUN: the step was stopped"
    fi
    nothing_left "SIG$sig during RUN"
done
