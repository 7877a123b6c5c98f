#!/bin/sh
# kill -9 of `kdoctor build` during a RUN, once, at a known point (the long
# version at random points is tests/long/faults.sh): the step's processes
# die with it, no mount is left, and the next build on the same store
# succeeds and removes what the killed one left in the store's tmp and in
# $TMPDIR (the sandbox's kdoctor-run.* dirs).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/hostile/lib.sh"

needs_root_and findmnt || exit 0
export TMPDIR=$TMP/tmpdir
mkdir -p "$TMPDIR" "$TMP/ctx"
store=$TMP/store
busybox_rootfs "$TMP/rootfs" killed
"$KDOCTOR" import "$TMP/rootfs" -t base:1 --cache-dir "$store" >/dev/null 2>&1
cat >"$TMP/ctx/Dockerfile" <<'EOS'
FROM base:1
RUN echo started; busybox sleep 98770
EOS
"$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/ctx" >/dev/null 2>"$TMP/kerr" &
pid=$!
for _i in $(seq 1 100); do
    grep -q ' started$' "$TMP/kerr" && break
    sleep 0.1
done
kill -9 $pid
wait $pid 2>/dev/null
for _i in $(seq 1 50); do pgrep -f 'sleep 98770' >/dev/null || break; sleep 0.1; done
if pgrep -f 'sleep 98770' >/dev/null; then
    not_ok "kill -9 during a RUN: the step dies with kdoctor" "$(pgrep -af 'sleep 98770')"
else
    ok "kill -9 during a RUN: the step dies with kdoctor"
fi
if [ "$(our_mounts)" = 0 ]; then ok "kill -9 during a RUN: no mount left"; else
    not_ok "kill -9 during a RUN: no mount left" "$(findmnt -rn -t overlay | grep -F "$TMP" | tail -n 3)"
fi
printf 'FROM base:1\nRUN cat /etc/mark\n' >"$TMP/ctx/Dockerfile"
run "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/ctx"
if [ "$status" = 0 ] && grep -q ' killed$' "$TMP/err"; then ok "kill -9 during a RUN: the next build succeeds"; else
    not_ok "kill -9 during a RUN: the next build succeeds" "$(tail -c 400 "$TMP/err")"
fi
left=$(find "$store/tmp" "$TMPDIR" -mindepth 1 -maxdepth 1 | head -n 3)
if [ -z "$left" ]; then ok "kill -9 during a RUN: the next build removes what it left"; else
    not_ok "kill -9 during a RUN: the next build removes what it left" "$left"
fi
