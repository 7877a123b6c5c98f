#!/bin/sh
# The builder's heavy libraries (libcurl, libarchive, libcrypto, isa-l) are
# loaded on first use, not linked: `kdoctor lint` must start fast.
. "$(dirname "$0")/../lib.sh"

needed=$(objdump -p "$KDOCTOR" 2>/dev/null | awk '/NEEDED/ {print $2}' | tr '\n' ' ')
if [ -z "$needed" ]; then
    skip "linked libraries" "objdump is not available"
else
    for lib in libcurl libarchive libcrypto libisal libssl; do
        case "$needed" in
        *"$lib"*) not_ok "$lib is not linked" "NEEDED: $needed" ;;
        *) ok "$lib is not linked" ;;
        esac
    done
fi
