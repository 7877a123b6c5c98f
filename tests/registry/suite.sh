#!/bin/sh
# The registry client, store and outputs against real peers, all on this
# machine: Debian's docker-registry on free 127.0.0.1 ports, base images made
# from busybox-static with umoci and pushed with skopeo (so the set-up does
# not depend on our own push), and the results checked with skopeo, umoci
# and podman.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/registry.sh"
: "${FETCH_TOOL:=$(dirname "$KDOCTOR")/fetch-tool}"
T=$FETCH_TOOL

for tool in docker-registry skopeo umoci podman busybox curl jq htpasswd; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        skip "registry suite" "$tool is not installed (make deps installs it)"
        exit 0
    fi
done

# check NAME COMMAND...: ok when the command succeeds.
check() {
    name=$1
    shift
    if "$@" >"$TMP/check.out" 2>&1; then ok "$name"; else
        not_ok "$name" "$(head -c 800 "$TMP/check.out")"
    fi
}
# counter NAME: a counter from the last fetch-tool run's output.
counter() { sed -n "s/^stat $1 //p" "$TMP/out"; }
SK="skopeo --insecure-policy"
NOTLS="--tls-verify=false"

# ---- set-up ------------------------------------------------------------------
registry_start A || exit 1
registry_start B || exit 1
htpasswd -Bbc "$TMP/htpasswd" alice 'wonder-land-42' >/dev/null 2>&1
registry_start C "$TMP/htpasswd" || exit 1

busybox_rootfs "$TMP/root-amd64" amd64
busybox_rootfs "$TMP/root-arm64" arm64
busybox_rootfs "$TMP/root-bad" corrupt-me
L="$TMP/layout"
oci_image "$L" base "$TMP/root-amd64" amd64 >/dev/null &&
    oci_image "$L" arm "$TMP/root-arm64" arm64 >/dev/null &&
    oci_image "$L" bad "$TMP/root-bad" amd64 >/dev/null || {
    not_ok "set-up: base images with umoci" "$(umoci --version 2>&1)"
    exit 1
}

# an index of two platforms, written by hand into the layout
desc() { jq -c --arg t "$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t)
    | {mediaType, digest, size}' "$L/index.json"; }
amd=$(desc base) arm=$(desc arm)
jq -nc --argjson a "$amd" --argjson b "$arm" '{schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [($b + {platform: {architecture: "arm64", os: "linux", variant: "v8"}}),
                ($a + {platform: {architecture: "amd64", os: "linux"}})]}' >"$TMP/index.json"
ixd=$(sha256sum "$TMP/index.json" | cut -d' ' -f1)
cp "$TMP/index.json" "$L/blobs/sha256/$ixd"
jq --arg d "sha256:$ixd" --argjson s "$(wc -c <"$TMP/index.json")" \
    '.manifests += [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s,
      annotations: {"org.opencontainers.image.ref.name": "multi"}}]' "$L/index.json" >"$TMP/i2" &&
    mv "$TMP/i2" "$L/index.json"

A=$REG_A B=$REG_B C=$REG_C
check "set-up: skopeo pushes the base image" $SK copy -q $NOTLS "oci:$L:base" "docker://$A/busybox:1"
check "set-up: skopeo pushes a two-platform index" \
    $SK copy -q --all $NOTLS "oci:$L:multi" "docker://$A/busybox:multi"
check "set-up: skopeo pushes a docker.io-style image for the mirror" \
    $SK copy -q $NOTLS "oci:$L:base" "docker://$A/library/busybox:1"
check "set-up: skopeo pushes to the htpasswd registry" \
    $SK copy -q $NOTLS --dest-creds 'alice:wonder-land-42' "oci:$L:base" "docker://$C/private/busybox:1"
$SK copy -q $NOTLS "oci:$L:bad" "docker://$A/corrupt:1" >/dev/null 2>&1
DIG=$($SK inspect $NOTLS "docker://$A/busybox:1" | jq -r .Digest)

# ---- pull ------------------------------------------------------------------------
S="$TMP/store"
run "$T" manifest "$A/busybox:1"
if [ "$status" -eq 0 ] && grep -q "^digest $DIG" "$TMP/err"; then ok "manifest digest matches skopeo's"; else
    not_ok "manifest digest matches skopeo's" "want $DIG" "$(cat "$TMP/err")"
fi

run "$T" pull "$S" "$A/busybox:1"
if [ "$status" -eq 0 ] && grep -qx "manifest $DIG" "$TMP/out" && grep -qx "fetched 1" "$TMP/out"; then
    ok "pull stores the image"
else not_ok "pull stores the image" "$(cat "$TMP/out" "$TMP/err")"; fi

bad_blobs=0
for f in "$S"/blobs/sha256/*; do
    [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$(basename "$f")" ] || bad_blobs=$((bad_blobs + 1))
done
n=$(ls "$S/blobs/sha256" | wc -l)
if [ "$bad_blobs" -eq 0 ] && [ "$n" -eq 3 ]; then ok "store blobs are named by their sha256"; else
    not_ok "store blobs are named by their sha256" "$n blobs, $bad_blobs wrong"
fi
if jq -e --arg d "$DIG" '.images["'"$A"'/busybox:1"].digest == $d' "$S/images.json" >/dev/null; then
    ok "images.json names the pulled image"
else not_ok "images.json names the pulled image" "$(cat "$S/images.json")"; fi
if [ -z "$(ls "$S/tmp")" ]; then ok "no tmp junk after a pull"; else not_ok "no tmp junk after a pull" "$(ls "$S/tmp")"; fi

run "$T" pull "$S" "$A/busybox:1"
if [ "$status" -eq 0 ] && grep -qx "fetched 0" "$TMP/out" && [ "$(counter blobs_fetched)" -eq 0 ]; then
    ok "a second pull fetches no blob"
else not_ok "a second pull fetches no blob" "$(cat "$TMP/out")"; fi

layer=$(jq -r '.layers[0].digest' "$S/blobs/sha256/${DIG#sha256:}")
"$T" blob "$A/busybox:1" "$layer" >"$TMP/layer.bin" 2>"$TMP/err"
if [ "sha256:$(sha256sum <"$TMP/layer.bin" | cut -d' ' -f1)" = "$layer" ]; then ok "blob streams verbatim"; else
    not_ok "blob streams verbatim" "$(cat "$TMP/err")"
fi

# ---- platforms -------------------------------------------------------------------
mark_of() { # the /etc/mark in the first layer of the image the last pull printed
    m=$(sed -n 's/^manifest //p' "$TMP/out")
    l=$(jq -r '.layers[0].digest' "$1/blobs/sha256/${m#sha256:}")
    tar -xzOf "$1/blobs/sha256/${l#sha256:}" etc/mark 2>/dev/null
}
run "$T" --platform linux/arm64 pull "$TMP/s-arm" "$A/busybox:multi"
if [ "$status" -eq 0 ] && grep -qx "platform linux/arm64" "$TMP/out" && grep -q "^index sha256:$ixd" "$TMP/out" &&
    [ "$(mark_of "$TMP/s-arm")" = arm64 ]; then
    ok "index: linux/arm64 picks the arm64 image"
else not_ok "index: linux/arm64 picks the arm64 image" "$(cat "$TMP/out" "$TMP/err")"; fi
run "$T" --platform linux/amd64 pull "$TMP/s-amd" "$A/busybox:multi"
if [ "$status" -eq 0 ] && [ "$(mark_of "$TMP/s-amd")" = amd64 ]; then ok "index: linux/amd64 picks the amd64 image"; else
    not_ok "index: linux/amd64 picks the amd64 image" "$(cat "$TMP/out" "$TMP/err")"
fi
expect_status "index: a missing platform fails" 1 "$T" --platform linux/s390x pull "$TMP/s-x" "$A/busybox:multi"
expect_grep "index: the error lists the platforms there" err "no image for platform linux/s390x \(the index has: linux/arm64/v8, linux/amd64\)"

# ---- errors ----------------------------------------------------------------------
expect_status "unknown tag fails" 1 "$T" pull "$TMP/s-404" "$A/busybox:nope"
expect_grep "unknown tag: registry, repository and the registry's error" err "$A/busybox: manifest nope: HTTP 404 MANIFEST_UNKNOWN"
expect_status "unknown repository fails" 1 "$T" pull "$TMP/s-404" "$A/nothing/here:1"
expect_grep "unknown repository: named, with the registry's error" err "$A/nothing/here: manifest 1: HTTP 404 [A-Z_]+: "

# a layer changed on the registry's disk must be refused and never stored
cm=$($SK inspect --raw $NOTLS "docker://$A/corrupt:1" | jq -r '.layers[0].digest')
hex=${cm#sha256:}
data="$TMP/registry-A/data/docker/registry/v2/blobs/sha256/$(echo "$hex" | cut -c1-2)/$hex/data"
if [ -f "$data" ]; then
    printf 'X' | dd of="$data" bs=1 seek=100 conv=notrunc 2>/dev/null
    expect_status "a corrupted blob fails the pull" 1 "$T" pull "$TMP/s-bad" "$A/corrupt:1"
    expect_grep "a corrupted blob is named as such" err "blob $cm does not match its digest"
    if [ ! -e "$TMP/s-bad/blobs/sha256/$hex" ] && [ -z "$(ls "$TMP/s-bad/tmp")" ]; then
        ok "a corrupted blob never enters the store"
    else not_ok "a corrupted blob never enters the store" "$(ls -R "$TMP/s-bad")"; fi
else
    not_ok "a corrupted blob fails the pull" "registry storage not found at $data"
fi

# ---- plain HTTP only where allowed --------------------------------------------
port=${A#127.0.0.1:}
expect_status "0.0.0.0 is not a local name: HTTPS only" 1 "$T" pull "$TMP/s-ins" "0.0.0.0:$port/busybox:1"
expect_status "--insecure allows plain HTTP" 0 "$T" --insecure "0.0.0.0:$port" pull "$TMP/s-ins" "0.0.0.0:$port/busybox:1"

# ---- docker.io through a mirror (never docker.io itself) -----------------------------
run "$T" --mirror "http://$A" pull "$TMP/s-mirror" busybox:1
if [ "$status" -eq 0 ] && grep -qx "manifest $DIG" "$TMP/out"; then ok "docker.io pull through a mirror"; else
    not_ok "docker.io pull through a mirror" "$(cat "$TMP/out" "$TMP/err")"
fi

# ---- concurrent pulls into one store ------------------------------------------------
pids=""
for i in 1 2 3 4; do
    "$T" pull "$TMP/s-conc" "$A/busybox:multi" >"$TMP/conc$i" 2>&1 &
    pids="$pids $!"
done
for p in $pids; do wait "$p"; done
failed=0
for i in 1 2 3 4; do grep -q "^manifest sha256:" "$TMP/conc$i" || failed=$((failed + 1)); done
bad_blobs=0
for f in "$TMP/s-conc"/blobs/sha256/*; do
    [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$(basename "$f")" ] || bad_blobs=$((bad_blobs + 1))
done
if [ $failed -eq 0 ] && [ $bad_blobs -eq 0 ] && [ -z "$(ls "$TMP/s-conc/tmp")" ]; then
    ok "4 concurrent pulls into one store"
else not_ok "4 concurrent pulls into one store" "$failed failed, $bad_blobs bad blobs" "$(cat "$TMP"/conc*)"; fi

# ---- push ------------------------------------------------------------------------
run "$T" push "$S" "$A/busybox:1" "$B/copy:1"
if [ "$status" -eq 0 ] && [ "$(counter blobs_uploaded)" -eq 2 ] && [ "$(counter blobs_existing)" -eq 0 ]; then
    ok "push uploads config and layer"
else not_ok "push uploads config and layer" "$(cat "$TMP/out" "$TMP/err")"; fi
got=$($SK inspect $NOTLS "docker://$B/copy:1" 2>"$TMP/err" | jq -r .Digest)
if [ "$got" = "$DIG" ]; then ok "skopeo inspect sees what we pushed, same digest"; else
    not_ok "skopeo inspect sees what we pushed, same digest" "got $got want $DIG" "$(cat "$TMP/err")"
fi
check "skopeo copy of what we pushed works" $SK copy -q $NOTLS "docker://$B/copy:1" "oci:$TMP/sk-copy:x"
check "umoci unpacks skopeo's copy of our push" umoci unpack --image "$TMP/sk-copy:x" "$TMP/sk-unpacked"
if [ "$(cat "$TMP/sk-unpacked/rootfs/etc/mark" 2>/dev/null)" = amd64 ]; then ok "the pushed layer holds the files"; else
    not_ok "the pushed layer holds the files"
fi

run "$T" push "$S" "$A/busybox:1" "$B/copy:1"
if [ "$status" -eq 0 ] && [ "$(counter blobs_existing)" -eq 2 ] && [ "$(counter blobs_uploaded)" -eq 0 ]; then
    ok "a second push sends no blob (HEAD first)"
else not_ok "a second push sends no blob (HEAD first)" "$(cat "$TMP/out")"; fi

run "$T" --mount copy push "$S" "$A/busybox:1" "$B/other:1"
if [ "$status" -eq 0 ] && [ "$(counter blobs_mounted)" -eq 2 ] && [ "$(counter blobs_uploaded)" -eq 0 ]; then
    ok "cross-repository mount instead of upload"
else not_ok "cross-repository mount instead of upload" "$(cat "$TMP/out" "$TMP/err")"; fi
check "skopeo inspect of the mounted image" $SK inspect $NOTLS "docker://$B/other:1"

run "$T" --chunk-size 100000 push "$S" "$A/busybox:1" "$B/chunked:1"
if [ "$status" -eq 0 ] && [ "$(counter chunks_uploaded)" -ge 10 ]; then ok "chunked upload (PATCH)"; else
    not_ok "chunked upload (PATCH)" "$(cat "$TMP/out" "$TMP/err")"
fi
check "skopeo copy of a chunked push" $SK copy -q $NOTLS "docker://$B/chunked:1" "oci:$TMP/sk-chunk:x"

run "$T" push "$S" "$A/busybox:1" "$B/bydigest@$DIG"
# (--raw: the repository has no tag to list)
if [ "$status" -eq 0 ] && $SK inspect --raw $NOTLS "docker://$B/bydigest@$DIG" >"$TMP/sk.out" 2>&1 &&
    [ "sha256:$(sha256sum <"$TMP/sk.out" | cut -d' ' -f1)" = "$DIG" ]; then
    ok "push by digest"
else not_ok "push by digest" "$(cat "$TMP/out" "$TMP/err" "$TMP/sk.out")"; fi

# ---- OCI layout output ----------------------------------------------------------------
O="$TMP/oci-out"
check "OCI layout output" "$T" oci "$S" "$A/busybox:1" "$O" latest
got=$($SK inspect "oci:$O:latest" 2>"$TMP/err" | jq -r .Digest)
if [ "$got" = "$DIG" ]; then ok "skopeo inspect oci: reads our layout"; else
    not_ok "skopeo inspect oci: reads our layout" "$got" "$(cat "$TMP/err")"
fi
check "umoci unpack of our layout" umoci unpack --image "$O:latest" "$TMP/umoci-out"
if [ "$(cat "$TMP/umoci-out/rootfs/etc/mark" 2>/dev/null)" = amd64 ]; then ok "our layout unpacks to the files"; else
    not_ok "our layout unpacks to the files"
fi
"$T" pull "$S" "$A/busybox:multi" >/dev/null 2>&1
"$T" oci "$S" "$A/busybox:multi" "$O" v2 >/dev/null 2>&1
"$T" oci "$S" "$A/busybox:1" "$O" latest >/dev/null 2>&1
if [ "$(jq '.manifests | length' "$O/index.json")" -eq 2 ] && jq -e '.schemaVersion == 2' "$O/index.json" >/dev/null &&
    [ "$(cat "$O/oci-layout")" = '{"imageLayoutVersion":"1.0.0"}' ]; then
    ok "layout: a new tag is added, an old one replaced"
else not_ok "layout: a new tag is added, an old one replaced" "$(cat "$O/index.json")"; fi

# ---- docker-archive output --------------------------------------------------------------
check "docker-archive output" "$T" archive "$S" "$A/busybox:1" "$TMP/img.tar" kd/busybox:1
check "skopeo inspect docker-archive: reads our tar" $SK inspect "docker-archive:$TMP/img.tar"
P="podman --storage-driver vfs --root $TMP/podroot --runroot $TMP/podrun --events-backend none"
check "podman load of our tar" $P load -i "$TMP/img.tar"
if $P create --name kdc kd/busybox:1 >/dev/null 2>&1 && [ "$($P export kdc | tar -xO etc/mark)" = amd64 ]; then
    ok "podman has the files of the loaded image"
else not_ok "podman has the files of the loaded image" "$($P images 2>&1)"; fi
$P rm -f kdc >/dev/null 2>&1
$P rmi -a -f >/dev/null 2>&1

# ---- auth ---------------------------------------------------------------------------
expect_status "htpasswd registry: anonymous pull fails" 1 "$T" --anonymous pull "$TMP/s-auth" "$C/private/busybox:1"
expect_grep "anonymous: 401 with a hint to log in" err "HTTP 401 UNAUTHORIZED.*no credentials for $C; run 'kdoctor login $C'"
mkdir -p "$TMP/dc-bad" "$TMP/dc-good"
printf '{"auths":{"%s":{"auth":"%s"}}}' "$C" "$(printf 'alice:not-the-password' | base64)" >"$TMP/dc-bad/config.json"
expect_status "htpasswd registry: a wrong password fails" 1 "$T" --config "$TMP/dc-bad" pull "$TMP/s-auth" "$C/private/busybox:1"
expect_grep "wrong password: said so" err "the credentials for $C were refused"
if grep -q "not-the-password" "$TMP/err" "$TMP/out"; then not_ok "the password is never printed"; else ok "the password is never printed"; fi
printf '{"auths":{"http://%s":{"username":"alice","password":"wonder-land-42"}}}' "$C" >"$TMP/dc-good/config.json"
expect_status "htpasswd registry: pull with stored credentials" 0 "$T" --config "$TMP/dc-good" pull "$TMP/s-auth" "$C/private/busybox:1"
expect_status "htpasswd registry: push with stored credentials" 0 "$T" --config "$TMP/dc-good" push "$TMP/s-auth" "$C/private/busybox:1" "$C/private/copy:2"
check "skopeo reads what we pushed with auth" $SK inspect $NOTLS --creds 'alice:wonder-land-42' "docker://$C/private/copy:2"

# ---- kdoctor login --------------------------------------------------------------------
export DOCKER_CONFIG="$TMP/dc-login"
printf 'not-it\n' >"$TMP/pw-bad"
expect_status "login: a wrong password fails" 1 "$KDOCTOR" login -u alice --password-stdin "$C" <"$TMP/pw-bad"
expect_grep "login: says it failed, names the registry" err "kdoctor: login to $C failed: .*HTTP 401"
if grep -q "not-it" "$TMP/err" "$TMP/out" || [ -e "$DOCKER_CONFIG/config.json" ]; then
    not_ok "login: a refused password is neither shown nor stored"
else ok "login: a refused password is neither shown nor stored"; fi
printf 'wonder-land-42\n' >"$TMP/pw"
expect_status "login --password-stdin" 0 "$KDOCTOR" login -u alice --password-stdin "http://$C/" <"$TMP/pw"
expect_grep "login: says where it stored" out "^Login Succeeded: credentials for $C stored in $DOCKER_CONFIG/config.json"
if [ "$(stat -c %a "$DOCKER_CONFIG/config.json")" = 600 ] &&
    jq -e --arg c "$C" '.auths[$c].auth == "YWxpY2U6d29uZGVyLWxhbmQtNDI="' "$DOCKER_CONFIG/config.json" >/dev/null; then
    ok "login: config.json has the entry, mode 0600"
else not_ok "login: config.json has the entry, mode 0600" "$(ls -l "$DOCKER_CONFIG")"; fi
expect_status "pull with what login stored" 0 "$T" pull "$TMP/s-login" "$C/private/busybox:1"

# the prompt, on a terminal (script(1) gives one): input is sent only once
# the prompt is there, so the check does not depend on timing
wait_for() {
    i=0
    while [ $i -lt 300 ] && ! grep -q "$1" "$TMP/pty.out" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
}
rm -f "$DOCKER_CONFIG/config.json"
mkfifo "$TMP/pty.in"
script -qec "$KDOCTOR login $C" /dev/null <"$TMP/pty.in" >"$TMP/pty.out" 2>&1 &
spid=$!
exec 3>"$TMP/pty.in"
wait_for "Username:"
printf 'alice\n' >&3
wait_for "Password:"
printf 'wonder-land-42\n' >&3
exec 3>&-
wait "$spid"
if grep -q "Login Succeeded" "$TMP/pty.out" && ! grep -q "wonder-land" "$TMP/pty.out" &&
    grep -q "Username: alice" "$TMP/pty.out"; then
    ok "login prompts on the terminal without echoing the password"
else not_ok "login prompts on the terminal without echoing the password" "$(cat "$TMP/pty.out")"; fi
unset DOCKER_CONFIG

registry_stop A
expect_status "a stopped registry fails after retries" 1 "$T" --retries 1 pull "$TMP/s-gone" "$A/busybox:1"
expect_grep "a stopped registry: the error names the host" err "$A.*(Couldn't connect|Failed to connect|Connection refused)"
