#!/bin/sh
# Isolation of RUN: a step cannot see the host's files (a marker beside the
# store, the host's /work or /home mounts), cannot see or signal host
# processes (a marked sleep started here), writes through /proc/1/root stay
# in its own root, its network with --network none is lo only, and nothing
# it starts outlives it. Each check is a test inside one RUN whose failure
# names it.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostile/lib.sh"

needs_root_and findmnt || exit 0
store=$TMP/store
busybox_rootfs "$TMP/rootfs" isolated
"$KDOCTOR" import "$TMP/rootfs" -t base:1 --cache-dir "$store" >/dev/null 2>&1
printf 'host secret\n' >"$TMP/host-marker"
sleep 98790 &
host_sleep=$!
trap 'kill $host_sleep 2>/dev/null; rm -rf "$TMP"' EXIT
mkdir -p "$TMP/ctx"
# check NAME TEST...: inside the RUN
cat >"$TMP/ctx/Dockerfile" <<EOF
FROM base:1
RUN check() { n=\$1; shift; if "\$@"; then echo "pass: \$n"; else echo "FAIL: \$n"; fi; }; \\
    check "host file invisible" test ! -e $TMP/host-marker; \\
    check "store invisible" test ! -e $store; \\
    check "no host mount in /proc/mounts" sh -c '! busybox grep -qE " (/work|/home|$TMP)" /proc/mounts'; \\
    check "only the step's processes" sh -c 'test \$(busybox ls /proc | busybox grep -c "^[0-9]") -le 6'; \\
    check "host sleep invisible" sh -c '! busybox ps | busybox grep -q "[s]leep 98790"'; \\
    check "kill of the host pid fails" sh -c '! kill -0 $host_sleep 2>/dev/null'; \\
    check "write via /proc/1/root stays inside" sh -c 'echo x >/proc/1/root/kd-escape-attempt'; \\
    check "network none: lo only" sh -c 'test "\$(busybox ls /sys/class/net)" = lo'; \\
    check "hostname is the sandbox's" sh -c 'test "\$(busybox hostname)" != "$(hostname)"'; \\
    busybox setsid busybox sleep 98791 </dev/null >/dev/null 2>&1 &
EOF
run "$KDOCTOR" build --progress plain --network none --cache-dir "$store" "$TMP/ctx"
if [ "$status" != 0 ]; then
    not_ok "isolation: the build runs" "$(tail -c 600 "$TMP/err")"
    exit 0
fi
grep -a 'pass: \|FAIL: ' "$TMP/err" | grep -v '^#[0-9]* \[' | sed 's/^#[0-9]* [0-9.]* //' >"$TMP/results"
while IFS= read -r line; do
    case $line in
    "pass: "*) ok "RUN isolation: ${line#pass: }" ;;
    *) not_ok "RUN isolation: ${line#FAIL: }" ;;
    esac
done <"$TMP/results"
[ "$(wc -l <"$TMP/results")" = 9 ] || not_ok "RUN isolation: all 9 checks ran" "$(cat "$TMP/results")"
if [ ! -e /kd-escape-attempt ]; then ok "RUN isolation: the host's / was not written"; else
    rm -f /kd-escape-attempt
    not_ok "RUN isolation: the host's / was not written"
fi
if kill -0 $host_sleep 2>/dev/null; then ok "RUN isolation: the host process is alive"; else
    not_ok "RUN isolation: the host process is alive"
fi
for _i in $(seq 1 50); do pgrep -f 'sleep 98791' >/dev/null || break; sleep 0.1; done
if pgrep -f 'sleep 98791' >/dev/null; then not_ok "RUN isolation: a daemon does not outlive its step"; else
    ok "RUN isolation: a daemon does not outlive its step"
fi
