#!/bin/sh
# A stand-in for the package managers and tools that tests/fix/cases call
# (there is no network, and the base is busybox), installed in the base of
# tests/build/fix.sh under each tool's name. Each one leaves its package
# cache where the real tool does, unless told not to as the real tool is
# (--no-cache, --no-cache-dir, PIP_NO_CACHE_DIR, clean), and an "installed"
# file per package, so the images of a Dockerfile and of its `lint --fix`ed
# version differ exactly by the caches the fix removes.
tool=${0##*/}

# the words that are not options (and not an option's value)
pkgs() {
    skip=
    for a in "$@"; do
        if [ -n "$skip" ]; then skip=; continue; fi
        case $a in
        -r | --requirement | --virtual | -t | --target) skip=1 ;;
        -*) ;;
        *) echo "$a" ;;
        esac
    done
}

install_pkgs() { # DIR WORDS...
    dir=$1
    shift
    mkdir -p "$dir"
    for p in $(pkgs "$@"); do echo "$tool $p" >"$dir/$p"; done
}

has() { # WORD ARGS...: is WORD among ARGS
    w=$1
    shift
    for a in "$@"; do [ "$a" = "$w" ] && return 0; done
    return 1
}

case $tool in
apt-get)
    cmd=$1
    shift
    case $cmd in
    update) mkdir -p /var/lib/apt/lists && echo index >/var/lib/apt/lists/fake_dists_InRelease ;;
    install) install_pkgs /usr/share/fake-pkgs "$@" ;;
    clean) rm -rf /var/cache/apt/archives/* ;;
    esac
    ;;
apk)
    cmd=$1
    shift
    if ! has --no-cache "$@"; then mkdir -p /var/cache/apk && echo index >/var/cache/apk/APKINDEX.fake.tar.gz; fi
    if [ "$cmd" = add ]; then install_pkgs /usr/share/fake-pkgs "$@"; fi
    ;;
pip | pip3 | pip3.12)
    shift # install
    if ! has --no-cache-dir "$@" && [ -z "${PIP_NO_CACHE_DIR:-}" ]; then
        mkdir -p /root/.cache/pip/http && echo wheel >/root/.cache/pip/http/fake
    fi
    install_pkgs /usr/lib/fake-site "$@"
    ;;
python3)
    [ "$1" = -m ] && [ "$2" = pip ] && shift 2 && exec pip "$@"
    ;;
npm)
    case "$1 ${2:-}" in
    "cache clean") rm -rf /root/.npm/_cacache ;;
    ci* | install*)
        mkdir -p /root/.npm/_cacache node_modules && echo blob >/root/.npm/_cacache/fake &&
            echo module >node_modules/fake
        ;;
    esac
    ;;
dnf | yum | microdnf | zypper)
    cache=/var/cache/$tool
    if has clean "$@"; then rm -rf "${cache:?}"/*; else
        mkdir -p "$cache" && echo rpm >"$cache/fake.rpm" && install_pkgs /usr/share/fake-pkgs "$@"
    fi
    ;;
useradd)
    name=$(pkgs "$@" | tail -n 1)
    echo "$name:x:1001:1001::/home/$name:/bin/sh" >>/etc/passwd
    echo "$name:x:1001:" >>/etc/group
    has -m "$@" && mkdir -p "/home/$name" && chown 1001:1001 "/home/$name"
    ;;
sudo) exec "$@" ;;
*) echo "$tool (fake) 1.0" ;; # git, make, jq, curl, tool: --version
esac
