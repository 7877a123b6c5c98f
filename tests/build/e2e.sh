#!/bin/sh
# End to end against a real registry (Debian's docker-registry on a free
# 127.0.0.1 port): base images are made from busybox-static with umoci and
# pushed with skopeo, so the set-up owes nothing to kdoctor's own push.
# kdoctor builds FROM them (pulling and extracting while downloading), and
# real clients check the result: skopeo inspect of the pushed image, umoci
# unpack of it compared with kdoctor's own OCI layout, podman load of the
# docker-archive and podman run of the image printing what the Dockerfile
# wrote. Also: warm rebuilds pull nothing, pushes send no blob twice, ADD of
# a URL with --checksum, COPY --from an image.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
. "$top/tests/lib/registry.sh"
. "$top/tests/build/lib.sh"
HTTPD_PID=
trap 'bh_cleanup; [ -n "$HTTPD_PID" ] && kill "$HTTPD_PID" 2>/dev/null; registry_stop_all; rm -rf "$TMP"' EXIT
trap 'bh_cleanup; [ -n "$HTTPD_PID" ] && kill "$HTTPD_PID" 2>/dev/null; registry_stop_all; rm -rf "$TMP"; exit 1' INT TERM

need_root e2e "namespaces, overlayfs"
need_tools e2e "scripts/install-deps.sh installs it" docker-registry skopeo umoci
if ! registry_start main; then
    not_ok "e2e: the registry starts"
    exit 0
fi
R=$REG_main
store=$TMP/store

# ---- base images, pushed with skopeo ----
busybox_layout "$TMP/base"
mkdir -p "$TMP/rootfs2/etc"
printf 'from the second base\n' >"$TMP/rootfs2/etc/tools.txt"
umoci new --image "$TMP/base:tools" >/dev/null &&
    umoci unpack --image "$TMP/base:tools" "$TMP/b2" >/dev/null &&
    cp -a "$TMP/rootfs2/." "$TMP/b2/rootfs/" &&
    umoci repack --image "$TMP/base:tools" "$TMP/b2" >/dev/null
if skopeo copy --dest-tls-verify=false "oci:$TMP/base:1" "docker://$R/kdtest/busybox:1" >/dev/null 2>&1 &&
    skopeo copy --dest-tls-verify=false "oci:$TMP/base:tools" "docker://$R/kdtest/tools:1" >/dev/null 2>&1; then
    ok "e2e: skopeo pushes the base images"
else
    not_ok "e2e: skopeo pushes the base images"
    exit 0
fi

# ---- a file served over HTTP for ADD ----
mkdir -p "$TMP/www"
printf 'downloaded over http\n' >"$TMP/www/remote.txt"
sum=sha256:$(sha256sum "$TMP/www/remote.txt" | cut -d' ' -f1)
hport=$(free_port)
busybox httpd -f -p "127.0.0.1:$hport" -h "$TMP/www" &
HTTPD_PID=$!
for i in $(seq 1 50); do
    curl -sf "http://127.0.0.1:$hport/remote.txt" >/dev/null 2>&1 && break
    sleep 0.1
done

# ---- the build ----
mkdir -p "$TMP/ctx"
printf 'context file\n' >"$TMP/ctx/local.txt"
cat >"$TMP/ctx/Dockerfile" <<EOF
FROM $R/kdtest/busybox:1 AS build
RUN mkdir /out && echo "written by RUN" > /out/run.txt
COPY local.txt /out/

FROM $R/kdtest/busybox:1
COPY --from=build /out/ /app/
COPY --from=$R/kdtest/tools:1 /etc/tools.txt /app/
ADD --checksum=$sum http://127.0.0.1:$hport/remote.txt /app/
RUN rm /etc/group && cat /app/run.txt /app/local.txt /app/tools.txt /app/remote.txt > /app/all.txt
ENV GREETING=hello
CMD ["cat", "/app/all.txt"]
EOF
run "$KDOCTOR" build --progress plain --cache-dir "$store" -t "$R/kdtest/app:1" --push \
    --timings "$TMP/cold.json" "$TMP/ctx"
if [ "$status" = 0 ]; then ok "e2e: cold build and push"; else
    not_ok "e2e: cold build and push" "$(tail -n 20 "$TMP/err")"
    exit 0
fi
digest=$(cat "$TMP/out")
expect_grep "e2e: the base is pulled" err "^#1 pulling $R/kdtest/busybox:1"
expect_grep "e2e: the cold FROM shows its pull" err '^#1 DONE .* pull [0-9.]+s \(1\.[0-9] MB\)'
if [ -n "$(ls "$store/layers/sha256" 2>/dev/null)" ]; then
    ok "e2e: base layers are unpacked in the store"
else
    not_ok "e2e: base layers are unpacked in the store"
fi

# skopeo inspect of what was pushed
if skopeo inspect --tls-verify=false "docker://$R/kdtest/app:1" >"$TMP/inspect.json" 2>"$TMP/err"; then
    ok "e2e: skopeo inspects the pushed image"
else
    not_ok "e2e: skopeo inspects the pushed image" "$(cat "$TMP/err")"
fi
if grep -q "\"Digest\": \"$digest\"" "$TMP/inspect.json"; then
    ok "e2e: the registry has the digest kdoctor printed"
else
    not_ok "e2e: the registry has the digest kdoctor printed" "$digest" "$(head -n 5 "$TMP/inspect.json")"
fi
if [ "$(jq '.Layers | length' "$TMP/inspect.json")" = 5 ]; then
    ok "e2e: base layer + 4 step layers"
else
    not_ok "e2e: base layer + 4 step layers" "$(jq -c .Layers "$TMP/inspect.json")"
fi
if jq -e '.Env | index("GREETING=hello")' "$TMP/inspect.json" >/dev/null; then
    ok "e2e: skopeo sees ENV"
else
    not_ok "e2e: skopeo sees ENV" "$(jq -c .Env "$TMP/inspect.json")"
fi
skopeo inspect --config --tls-verify=false "docker://$R/kdtest/app:1" >"$TMP/config.json" 2>/dev/null
if [ "$(jq -c .config.Cmd "$TMP/config.json")" = '["cat","/app/all.txt"]' ]; then
    ok "e2e: skopeo sees CMD"
else
    not_ok "e2e: skopeo sees CMD" "$(jq -c .config "$TMP/config.json")"
fi

# umoci unpack of the pushed image = kdoctor's own OCI layout
"$KDOCTOR" build --progress plain --cache-dir "$store" --oci-layout "$TMP/layout" -t app:1 \
    "$TMP/ctx" >/dev/null 2>"$TMP/err"
skopeo copy --src-tls-verify=false "docker://$R/kdtest/app:1" "oci:$TMP/pulled:1" >/dev/null 2>&1
if umoci unpack --image "$TMP/pulled:1" "$TMP/u1" >/dev/null 2>&1 &&
    umoci unpack --image "$TMP/layout:1" "$TMP/u2" >/dev/null 2>&1; then
    ok "e2e: umoci unpacks both images"
else
    not_ok "e2e: umoci unpacks both images"
fi
"$IMGDUMP" tree "$TMP/u1/rootfs" >"$TMP/tree1"
"$IMGDUMP" tree "$TMP/u2/rootfs" >"$TMP/tree2"
if cmp -s "$TMP/tree1" "$TMP/tree2" && [ -s "$TMP/tree1" ]; then
    ok "e2e: the pushed tree equals the OCI layout's"
else
    not_ok "e2e: the pushed tree equals the OCI layout's" "$(diff "$TMP/tree1" "$TMP/tree2" | head)"
fi
if [ "$(cat "$TMP/u1/rootfs/app/all.txt" 2>/dev/null)" = "written by RUN
context file
from the second base
downloaded over http" ]; then
    ok "e2e: the unpacked image holds what the Dockerfile wrote"
else
    not_ok "e2e: the unpacked image holds what the Dockerfile wrote" "$(cat "$TMP/u1/rootfs/app/all.txt")"
fi
if [ ! -e "$TMP/u1/rootfs/etc/group" ] && [ -e "$TMP/u1/rootfs/etc/passwd" ]; then
    ok "e2e: a deleted base file is whited out"
else
    not_ok "e2e: a deleted base file is whited out"
fi
if [ "$(stat -c %a "$TMP/u1/rootfs/app/remote.txt")" = 600 ]; then
    ok "e2e: ADD of a URL gives mode 600, as Docker"
else
    not_ok "e2e: ADD of a URL gives mode 600, as Docker" "$(stat -c %a "$TMP/u1/rootfs/app/remote.txt")"
fi

# warm: nothing is pulled, a second push sends no blob
run "$KDOCTOR" build --progress plain --cache-dir "$store" -t "$R/kdtest/app:2" --push \
    --timings "$TMP/warm.json" "$TMP/ctx"
if [ "$status" = 0 ] && ! grep -q 'pulling' "$TMP/err"; then
    ok "e2e: a warm build pulls nothing"
else
    not_ok "e2e: a warm build pulls nothing" "$(head -n 8 "$TMP/err")"
fi
pushed=$(jq '.builds[0].export.phases.push.bytes' "$TMP/warm.json")
if [ "$pushed" -lt 20000 ]; then
    ok "e2e: blobs the registry has are not sent again (HEAD first; $pushed bytes sent)"
else
    not_ok "e2e: blobs the registry has are not sent again" "$pushed bytes sent"
fi
run "$KDOCTOR" build --progress plain --cache-dir "$store" -t "$R/kdtest/other:1" --push \
    --timings "$TMP/mount.json" "$TMP/ctx"
pushed=$(jq '.builds[0].export.phases.push.bytes' "$TMP/mount.json")
if [ "$status" = 0 ] && [ "$pushed" -lt 200000 ]; then
    ok "e2e: a push to another repository mounts the base instead of uploading ($pushed bytes sent)"
else
    not_ok "e2e: a push to another repository mounts the base" "$pushed bytes sent" "$(tail -n 3 "$TMP/err")"
fi

# ADD --checksum refuses a mismatch
sed -i "s|--checksum=$sum|--checksum=sha256:$(printf '%064d' 0)|" "$TMP/ctx/Dockerfile"
run "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/ctx"
if [ "$status" != 0 ] && grep -q 'digest mismatch' "$TMP/err"; then
    ok "e2e: ADD --checksum refuses a mismatch"
else
    not_ok "e2e: ADD --checksum refuses a mismatch" "$(tail -n 3 "$TMP/err")"
fi

# docker-archive: podman load, podman run
sed -i "s|--checksum=sha256:0*|--checksum=$sum|" "$TMP/ctx/Dockerfile"
run "$KDOCTOR" build --progress plain --cache-dir "$store" --tar "$TMP/app.tar" -t kdtest-app:1 "$TMP/ctx"
if [ "$status" = 0 ] && [ -s "$TMP/app.tar" ]; then ok "e2e: --tar writes a docker-archive"; else
    not_ok "e2e: --tar writes a docker-archive" "$(tail -n 3 "$TMP/err")"
fi
if ! have podman; then
    skip "e2e: podman run" "podman is not installed"
    exit 0
fi
if pm load -i "$TMP/app.tar" >"$TMP/load.out" 2>&1; then ok "e2e: podman loads the docker-archive"; else
    not_ok "e2e: podman loads the docker-archive" "$(tail -n 5 "$TMP/load.out")"
fi
# shellcheck disable=SC2086
if pm run $PM_RUN_OPTS localhost/kdtest-app:1 >"$TMP/run.out" 2>"$TMP/run.err" &&
    [ "$(cat "$TMP/run.out")" = "written by RUN
context file
from the second base
downloaded over http" ]; then
    ok "e2e: podman run prints what the Dockerfile wrote"
elif grep -q 'cgroup\|rlimit\|OCI runtime' "$TMP/run.err" && ! have runc; then
    skip "e2e: podman run" "no OCI runtime works here: $(head -c 200 "$TMP/run.err")"
else
    not_ok "e2e: podman run prints what the Dockerfile wrote" "$(cat "$TMP/run.out" "$TMP/run.err" | head)"
fi
# shellcheck disable=SC2086
if pm run $PM_RUN_OPTS --tls-verify=false "$R/kdtest/app:1" >"$TMP/run2.out" 2>"$TMP/run2.err" &&
    grep -q 'downloaded over http' "$TMP/run2.out"; then
    ok "e2e: podman pulls the pushed image from the registry and runs it"
else
    not_ok "e2e: podman pulls the pushed image and runs it" "$(cat "$TMP/run2.err" | tail -n 5)"
fi
