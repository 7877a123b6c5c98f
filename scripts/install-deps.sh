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
PKGS="$PKGS clang libclang-rt-14-dev diffutils busybox-static buildah"
# lint tests: jq reads the json, sarif and gitlab outputs, xmllint checks
# the checkstyle XML
PKGS="$PKGS jq libxml2-utils"
# TUI tests: tmux drives the terminal report (send-keys, capture-pane)
PKGS="$PKGS tmux"
# bench/lint.sh: /usr/bin/time gives the CPU time of each run
PKGS="$PKGS time"
# tests: real registry peers (tests/registry): a registry, clients that check
# what we pull and push, htpasswd for basic auth
PKGS="$PKGS docker-registry skopeo umoci podman apache2-utils curl"
# layer tests: GNU tar, gzip and bsdtar read our layers, attr checks xattrs
PKGS="$PKGS tar gzip libarchive-tools attr"
# tests: podman run of built images needs runc (crun refuses this machine's
# hybrid cgroups)
PKGS="$PKGS runc"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
# node and npm (the SARIF schema check and bench/lint.sh's peers): any
# install will do (some machines have NodeSource's nodejs, which bundles
# npm and conflicts with Debian's npm package), so only install Debian's
# when there is none
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
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
