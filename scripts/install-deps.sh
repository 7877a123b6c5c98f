#!/bin/sh
# Installs the Debian 12 packages kdoctor's build and tests need, only those
# that are missing; silent when everything is there. Called by `make deps`,
# and so by `make demo` and `make test`.
set -eu

# build: compiler, pkg-config and the libraries kdoctor links
PKGS="gcc make pkg-config libc6-dev libpcre2-dev libarchive-dev libcurl4-openssl-dev
      libcjson-dev libncurses-dev libyaml-dev libssl-dev libisal-dev libdeflate-dev"
# tests: the fuzzers (clang, libFuzzer) and the shell tools the tests use;
# busybox-static runs inside the sandbox tests, buildah is the COPY oracle
PKGS="$PKGS clang libclang-rt-14-dev diffutils tar gzip libarchive-tools attr skopeo umoci
      busybox-static buildah"
# tests: real registry peers (tests/registry): a registry, clients that check
# what we pull and push, busybox for base images, htpasswd for basic auth
PKGS="$PKGS docker-registry podman apache2-utils curl jq"
# tests: podman run of built images needs runc (crun refuses this machine's
# hybrid cgroups)
PKGS="$PKGS runc"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "kdoctor: installing missing Debian packages:$missing"
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
    command -v sudo >/dev/null 2>&1 || {
        echo "kdoctor: these packages are missing and this is not root:$missing" >&2
        echo "kdoctor: install them (apt-get install$missing) or run as root" >&2
        exit 1
    }
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "kdoctor: packages installed"
