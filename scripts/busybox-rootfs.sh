#!/bin/sh
# busybox-rootfs.sh DIR: a small root file system from busybox-static, the
# base image of `make demo`, the builder's tests and bench/build.sh (made
# with no network): /bin/busybox and a link per applet, root and an
# unprivileged user "bob" (1000:1000) in /etc/passwd and /etc/group, /tmp,
# and the usual mount point directories.
set -eu
d=$1
busybox=${BUSYBOX:-/bin/busybox}
mkdir -p "$d/bin" "$d/etc" "$d/tmp" "$d/root" "$d/home/bob" "$d/dev" "$d/proc" "$d/sys" "$d/run"
cp "$busybox" "$d/bin/busybox"
for a in $("$busybox" --list); do
    [ "$a" = busybox ] || ln -sf busybox "$d/bin/$a"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nbob:x:1000:1000:bob:/home/bob:/bin/sh\n' >"$d/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\nbob:x:1000:\n' >"$d/etc/group"
chown 1000:1000 "$d/home/bob"
chmod 1777 "$d/tmp"
