#!/bin/sh
# kdoctor lint --online: fat-base-image (KD1100) with real sizes asked of a
# registry. A local docker-registry stands in for Docker Hub through
# --registry-mirror (lint then asks the mirror only, so nothing leaves the
# machine); its node images are busybox roots, the "fat" one with 3 MB more.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
. "$top/tests/build/lib.sh"
trap 'stop_registry; rm -rf "$TMP"' EXIT INT TERM

expect_status "--registry-mirror needs a value" 2 "$KDOCTOR" lint --online --registry-mirror
expect_status "help lint" 0 "$KDOCTOR" help lint
expect_grep "help lint names --online" out '--online'

for t in docker-registry skopeo umoci busybox; do
    if ! have "$t"; then
        skip "lint --online" "$t is missing"
        exit 0
    fi
done
if ! start_registry; then
    not_ok "lint --online: docker-registry starts" "$(cat "$TMP/registry.log")"
    exit 0
fi

# two images: slim (a busybox root) and fat (the same and 3 MB of noise)
make_rootfs "$TMP/root" >/dev/null 2>&1
make_base_layout "$TMP/slim" "$TMP/root"
head -c 3000000 /dev/urandom >"$TMP/root/noise"
make_base_layout "$TMP/fat" "$TMP/root"
push() {
    skopeo copy -q --dest-tls-verify=false "oci:$1:1" "docker://$REG/library/$2" >/dev/null 2>&1
}
push "$TMP/fat" node:12 && push "$TMP/slim" node:12-slim && push "$TMP/fat" node:14 ||
    not_ok "lint --online: skopeo pushes the test images"

# size IMAGE: config + layers, as the registry's manifest gives them, in MB
size() {
    skopeo inspect --raw --tls-verify=false "docker://$REG/library/$1" |
        jq '[.layers[].size] | add + 0' >"$TMP/sz.l" &&
        skopeo inspect --raw --tls-verify=false "docker://$REG/library/$1" | jq '.config.size' >"$TMP/sz.c" &&
        awk -v l="$(cat "$TMP/sz.l")" -v c="$(cat "$TMP/sz.c")" 'BEGIN { printf "%.1f", (l + c) / 1e6 }'
}
fat=$(size node:12)
slim=$(size node:12-slim)

cd "$TMP" || exit 1
printf 'options:\n  fat-base-image:\n    min-saving-mb: 1\n' >small.yaml
printf 'options:\n  fat-base-image:\n    min-saving-mb: 100\n' >big.yaml
printf 'FROM node:12\nCMD ["node"]\n' >Dockerfile
mirror="--registry-mirror http://$REG"

# shellcheck disable=SC2086
expect_status "--online: a fat base is found" 1 "$KDOCTOR" lint --online $mirror --config small.yaml \
    --select KD1100 --format gnu Dockerfile
expect_grep "--online: the real sizes of the image and its sibling" out \
    "node:12 is $fat MB compressed \\(asked of its registry\\); node:12-slim .* is $slim MB"
# shellcheck disable=SC2086
expect_status "--online: the fix is still offered" 1 "$KDOCTOR" lint --online $mirror --config small.yaml \
    --select KD1100 --format json Dockerfile
expect_grep "--online: json says fixable" out '"fixable":[[:space:]]*true'

# the real saving (3 MB) is below 100 MB: no finding, where the typical
# sizes (390 - 75 MB) would make one
# shellcheck disable=SC2086
expect_status "--online: a small real saving is no finding" 0 "$KDOCTOR" lint --online $mirror \
    --config big.yaml --select KD1100 Dockerfile
expect_status "offline, the typical sizes make one" 1 "$KDOCTOR" lint --config big.yaml --select KD1100 Dockerfile
expect_grep "offline: the typical sizes" out 'typically ~390 MB'

# node:14 exists, node:14-slim does not: nothing smaller to suggest
printf 'FROM node:14\n' >Dockerfile.14
# shellcheck disable=SC2086
expect_status "--online: no finding when the sibling does not exist" 0 "$KDOCTOR" lint --online $mirror \
    --config small.yaml --select KD1100 Dockerfile.14

# an image the registry does not have: the typical sizes, and why
printf 'FROM python:3.11\n' >Dockerfile.py
# shellcheck disable=SC2086
expect_status "--online: an unknown image falls back" 1 "$KDOCTOR" lint --online $mirror \
    --select KD1100 --format gnu Dockerfile.py
expect_grep "--online: the fallback says the registry has no such image" out \
    'typically ~370 MB.*\(the registry has no image python:3.11\)'

# the registry gone: lint still works, with the typical sizes and why
stop_registry
# shellcheck disable=SC2086
expect_status "--online: a registry that does not answer is no error" 1 "$KDOCTOR" lint --online $mirror \
    --select KD1100 --format gnu Dockerfile
expect_grep "--online: the fallback says the registry could not be asked" out \
    'typically ~390 MB.*\(the registry could not be asked: '
