#!/bin/sh
# The command line of build, images and import: help, usage errors, exit
# statuses, and a small build on an imported base (root only).
. "$(dirname "$0")/../lib.sh"

for c in build images import cache; do
    expect_status "help $c" 0 "$KDOCTOR" help "$c"
    expect_grep "help $c shows usage" out "^Usage: kdoctor $c"
done
expect_status "help lists build" 0 "$KDOCTOR" help
expect_grep "help lists build" out '^  build '
expect_grep "help lists images" out '^  images '
expect_grep "help lists import" out '^  import '
expect_grep "help lists cache" out '^  cache '
"$KDOCTOR" help build >"$TMP/usage"
tr -s ' \n' '  ' <"$TMP/usage" >"$TMP/usage1"
if grep -qF 'kdoctor build [-f Dockerfile] [-t REF]... [--build-arg K=V]... [--target STAGE] [--platform os/arch] [--oci-layout DIR] [--tar FILE] [--no-push | --push] [--timings FILE.json] [--progress auto|plain|tty] [--network host|none] [--cache | --no-cache] [--cache-dir DIR] [--reproducible] [--normalize-owners] [--normalize-modes] [--cache-repo REF [--cache-ttl DURATION]] [--insecure-registry HOST]... [--registry-mirror URL]... CONTEXT' "$TMP/usage1"; then
    ok "build usage line"
else
    not_ok "build usage line" "$(head -n 6 "$TMP/usage")"
fi

expect_status "build without a context exits 2" 2 "$KDOCTOR" build
expect_grep "build without a context says so" err 'no build context given'
expect_status "build with two contexts exits 2" 2 "$KDOCTOR" build a b
expect_status "build unknown option exits 2" 2 "$KDOCTOR" build --frob .
expect_grep "build unknown option is named" err "unknown option '--frob'"
expect_status "build --progress bad exits 2" 2 "$KDOCTOR" build --progress loud .
expect_grep "build --progress bad is explained" err 'auto, plain or tty'
expect_status "build --network bad exits 2" 2 "$KDOCTOR" build --network bridge .
expect_status "build -t without value exits 2" 2 "$KDOCTOR" build . -t
expect_status "build of a missing context exits 2" 2 "$KDOCTOR" build --cache-dir "$TMP/s" "$TMP/nope"
expect_grep "build of a missing context names it" err 'build context .*nope'
mkdir -p "$TMP/ctx"
expect_status "build without a Dockerfile fails" 2 "$KDOCTOR" build --cache-dir "$TMP/s" "$TMP/ctx"
expect_grep "build without a Dockerfile names it" err 'ctx/Dockerfile'
printf 'RUN true\n' >"$TMP/ctx/Dockerfile"
expect_status "build of a Dockerfile without FROM exits 2" 2 "$KDOCTOR" build --cache-dir "$TMP/s" "$TMP/ctx"
expect_grep "build of a Dockerfile without FROM names the line" err 'Dockerfile:1:1: RUN comes before the first FROM'
printf 'FROM scratch AS a\n' >"$TMP/ctx/Dockerfile"
expect_status "build --target unknown exits 2" 2 "$KDOCTOR" build --cache-dir "$TMP/s" --target nope "$TMP/ctx"
expect_grep "build --target unknown names it" err 'target stage "nope" could not be found'
SOURCE_DATE_EPOCH=soon expect_status "bad SOURCE_DATE_EPOCH exits 2" 2 "$KDOCTOR" build "$TMP/ctx"

expect_status "images unknown option exits 2" 2 "$KDOCTOR" images --frob
expect_status "images on an empty store" 0 "$KDOCTOR" images --cache-dir "$TMP/s"
expect_grep "images prints a header" out '^NAME +DIGEST +CREATED +SIZE'
expect_status "import without a name exits 2" 2 "$KDOCTOR" import "$TMP/ctx"
expect_grep "import without a name says so" err 'with -t NAME'
expect_status "import without a source exits 2" 2 "$KDOCTOR" import -t x
expect_status "import of a missing source fails" 1 "$KDOCTOR" import "$TMP/nope" -t x --cache-dir "$TMP/s"
expect_status "import under a bad name exits 2" 2 "$KDOCTOR" import "$TMP/ctx" -t 'Bad:Name' --cache-dir "$TMP/s"

# a build from scratch needs no privileges until a step runs
printf 'FROM scratch\nCOPY Dockerfile /\nENV A=1\nCMD ["/x"]\n' >"$TMP/ctx/Dockerfile"
if [ "$(id -u)" != 0 ]; then
    skip "build from scratch" "needs root (overlayfs)"
    exit 0
fi
expect_status "build from scratch" 0 "$KDOCTOR" build --cache-dir "$TMP/s" -t scratchy:1 \
    --timings "$TMP/t.json" --progress plain "$TMP/ctx"
expect_grep "build prints the digest on stdout" out '^sha256:[0-9a-f]{64}$'
expect_grep "build shows each step" err '^#2 \[2/4\] COPY Dockerfile /$'
expect_grep "build shows the phases of a step" err '^#2 DONE [0-9.]+s  run [0-9.]+s  snapshot'
expect_grep "build says where the image went" err '^named scratchy:1$'
digest=$(cat "$TMP/out")
expect_status "images lists the build" 0 "$KDOCTOR" images --cache-dir "$TMP/s" --digests
expect_grep "images shows its name and digest" out "^scratchy:1 +$digest "
if grep -q '"schema":	"kdoctor.timings/1"' "$TMP/t.json" && grep -q "\"digest\":	\"$digest\"" "$TMP/t.json"; then
    ok "timings name the schema and the image"
else
    not_ok "timings name the schema and the image" "$(head -c 300 "$TMP/t.json")"
fi

# import: a directory and a tar give the same tree
mkdir -p "$TMP/root/bin" "$TMP/root/etc"
printf 'hi\n' >"$TMP/root/etc/hello"
cp /bin/busybox "$TMP/root/bin/busybox" 2>/dev/null
ln -s busybox "$TMP/root/bin/sh"
ln -s busybox "$TMP/root/bin/cat"
expect_status "import a directory" 0 "$KDOCTOR" import "$TMP/root" -t imported:dir --cache-dir "$TMP/s"
expect_grep "import prints the digest" out '^sha256:[0-9a-f]{64}$'
tar -C "$TMP/root" -czf "$TMP/root.tgz" .
expect_status "import a tar" 0 "$KDOCTOR" import "$TMP/root.tgz" -t imported:tar --cache-dir "$TMP/s"
printf 'FROM imported:tar\nRUN cat /etc/hello > /copy\n' >"$TMP/ctx/Dockerfile"
expect_status "build FROM an imported image" 0 "$KDOCTOR" build --cache-dir "$TMP/s" \
    --progress plain --oci-layout "$TMP/layout" -t x:1 "$TMP/ctx"
expect_grep "an imported base needs no registry" err 'FROM imported:tar'
if [ -f "$TMP/layout/index.json" ]; then ok "--oci-layout writes a layout"; else
    not_ok "--oci-layout writes a layout"
fi

# unused build args are reported; --progress tty redraws a status line
printf 'FROM imported:tar\nARG USED\nCOPY Dockerfile /df\n' >"$TMP/ctx/Dockerfile"
expect_status "build with build args" 0 "$KDOCTOR" build --cache-dir "$TMP/s" --progress tty \
    --build-arg USED=1 --build-arg UNUSED=2 --build-arg HTTP_PROXY=x "$TMP/ctx"
expect_grep "an unused build arg is reported" err 'WARNING: one or more build args were not consumed: \[UNUSED\]'
if grep -q "$(printf '\033\\[K')" "$TMP/err"; then ok "--progress tty redraws its status line"; else
    not_ok "--progress tty redraws its status line" "$(head -c 300 "$TMP/err" | od -c | head)"
fi
printf 'FROM imported:tar\nRUN echo "$GREETING" > /g\n' | {
    run "$KDOCTOR" build --cache-dir "$TMP/s" --progress plain -f - --build-arg GREETING=x "$TMP/ctx"
    expect_grep "-f - reads the Dockerfile from standard input" err '^#2 \[2/2\] RUN echo "\$GREETING" > /g$'
}
