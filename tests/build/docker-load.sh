#!/bin/sh
# `kdoctor build --tar` gives a docker-archive that Docker itself loads
# (e2e.sh checks podman): the test starts Debian's dockerd on a private
# socket, data root and exec root (no network set-up), loads the archive,
# checks the image's config and layer count as `docker image inspect` shows
# them, runs it (the output is what the Dockerfile wrote), and stops dockerd
# by PID. Skipped without dockerd.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
. "$top/tests/build/lib.sh"
D=$TMP/docker
DOCKERD_PID=
stop_dockerd() {
    [ -n "$DOCKERD_PID" ] || return 0
    kill "$DOCKERD_PID" 2>/dev/null
    wait "$DOCKERD_PID" 2>/dev/null
    DOCKERD_PID=
    for m in $(findmnt -rn -o TARGET | grep "^$D" | sort -r); do umount "$m" 2>/dev/null; done
}
trap 'stop_dockerd; rm -rf "$TMP"' EXIT
trap 'stop_dockerd; rm -rf "$TMP"; exit 1' INT TERM

need_root docker-load "dockerd, namespaces"
if ! have dockerd || [ ! -x /usr/bin/docker ]; then
    skip docker-load "Debian's docker.io is not installed"
    exit 0
fi
dk() { /usr/bin/docker -H "unix://$D/docker.sock" "$@"; }

store=$TMP/store
busybox_store "$store"
mkdir -p "$TMP/ctx"
echo "from the context" >"$TMP/ctx/file.txt"
cat >"$TMP/ctx/Dockerfile" <<'EOF'
FROM kdtest-base:1
ENV GREETING=hello
RUN echo "written by RUN" > /out.txt
COPY file.txt /file.txt
RUN rm /bin/vi
CMD ["sh", "-c", "cat /out.txt /file.txt; echo $GREETING; test -e /bin/vi || echo no vi"]
EOF
run "$KDOCTOR" build --progress plain --cache-dir "$store" --tar "$TMP/app.tar" -t kdtest-load:1 "$TMP/ctx"
if [ "$status" != 0 ]; then
    not_ok "docker-load: kdoctor build --tar" "$(tail -n 5 "$TMP/err")"
    exit 0
fi

mkdir -p "$D/data" "$D/exec"
dockerd --host "unix://$D/docker.sock" --data-root "$D/data" --exec-root "$D/exec" \
    --pidfile "$D/docker.pid" --iptables=false --ip-masq=false --bridge=none \
    --storage-driver overlay2 >"$D/dockerd.log" 2>&1 &
DOCKERD_PID=$!
up=
for _i in $(seq 1 150); do
    if dk info >/dev/null 2>&1; then up=1; break; fi
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.2
done
if [ -z "$up" ]; then
    skip docker-load "dockerd does not start here: $(tail -n 3 "$D/dockerd.log" | tr '\n' ' ')"
    exit 0
fi

if dk load -i "$TMP/app.tar" >"$TMP/load.out" 2>&1 &&
    grep -q 'Loaded image: kdtest-load:1' "$TMP/load.out"; then
    ok "docker-load: docker load takes the docker-archive"
else
    not_ok "docker-load: docker load takes the docker-archive" "$(tail -n 5 "$TMP/load.out")"
    exit 0
fi
got=$(dk image inspect -f '{{json .Config.Cmd}} {{len .RootFS.Layers}} {{index .Config.Env 1}}' \
    kdtest-load:1 2>&1)
want='["sh","-c","cat /out.txt /file.txt; echo $GREETING; test -e /bin/vi || echo no vi"] 4 GREETING=hello'
if [ "$got" = "$want" ]; then ok "docker-load: docker sees the config and 4 layers"; else
    not_ok "docker-load: docker sees the config and 4 layers" "got:  $got" "want: $want"
fi
if dk run --rm --network none kdtest-load:1 >"$TMP/run.out" 2>"$TMP/run.err"; then
    if [ "$(cat "$TMP/run.out")" = "written by RUN
from the context
hello
no vi" ]; then
        ok "docker-load: docker run prints what the Dockerfile wrote"
    else
        not_ok "docker-load: docker run prints what the Dockerfile wrote" "$(cat "$TMP/run.out")"
    fi
else
    skip "docker-load: docker run" "no container runtime works here: $(head -c 200 "$TMP/run.err")"
fi
