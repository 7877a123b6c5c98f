# Helpers for shell test suites; source it. Each check prints one line
# "ok - NAME" or "not ok - NAME" followed by what went wrong.
: "${KDOCTOR:?KDOCTOR must name the kdoctor binary}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/kdoctor-t.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM

ok() { echo "ok - $1"; }
not_ok() {
    echo "not ok - $1"
    shift
    [ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/# /'
    return 0
}
skip() { echo "skip - $1: $2"; }

# run CMD...: runs a command, keeping stdout, stderr and status in
# $TMP/out, $TMP/err and $status.
run() {
    "$@" >"$TMP/out" 2>"$TMP/err"
    status=$?
}

# expect_status NAME STATUS CMD...
expect_status() {
    name=$1 want=$2
    shift 2
    run "$@"
    if [ "$status" -eq "$want" ]; then ok "$name"; else
        not_ok "$name" "exit status $status, expected $want" "stderr: $(head -c 600 "$TMP/err")"
    fi
}

# expect_out NAME EXPECTED_FILE CMD...: stdout must equal the file's bytes.
expect_out() {
    name=$1 want=$2
    shift 2
    run "$@"
    if [ "$status" -eq 0 ] && cmp -s "$TMP/out" "$want"; then ok "$name"; else
        not_ok "$name" "exit status $status" "$(diff "$want" "$TMP/out" | head -n 20)" \
            "stderr: $(head -c 600 "$TMP/err")"
    fi
}

# expect_grep NAME WHERE PATTERN: the last run's stdout/stderr ("out"/"err")
# must contain the extended regular expression.
expect_grep() {
    if grep -Eq -- "$3" "$TMP/$2"; then ok "$1"; else
        not_ok "$1" "no match for /$3/ in $2:" "$(head -c 600 "$TMP/$2")"
    fi
}

# tree_sig DIR: one line per entry (type, mode, owner, size, mtime, link target,
# link count, device numbers), file contents' hashes and every xattr, so
# that two trees compare with cmp. Files over 64 MiB (huge sparse ones) are
# hashed by their last MiB only, to keep this fast.
tree_sig() {
    (cd "$1" && find . -mindepth 1 \( -type d -printf '%P|d|%m|%U:%G|%T@\n' \) -o \
        \( -type c -printf '%P|c|%m|%U:%G|%T@|' -exec stat -c '%t:%T' {} \; \) -o \
        \( -type b -printf '%P|b|%m|%U:%G|%T@|' -exec stat -c '%t:%T' {} \; \) -o \
        -printf '%P|%y|%m|%U:%G|%s|%T@|%l|%n\n' | LC_ALL=C sort
    cd "$1" && find . -type f -size -65537k -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
    cd "$1" && find . -type f -size +65536k -print0 | LC_ALL=C sort -z |
        xargs -0 -r -I{} sh -c 'printf "%s tail " "$(tail -c 1048576 "$1" | sha256sum | cut -c1-64)"; echo "$1"' _ {}
    cd "$1" && getfattr -h -R -d -m - -e hex . 2>/dev/null)
}
