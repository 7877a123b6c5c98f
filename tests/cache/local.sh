#!/bin/sh
# The layer cache (docs/cache.md): hits on a rebuild with the same image
# digest, misses after editing a context file a COPY reads, a build arg or a
# line, and every step after a miss; files a step does not read do not
# matter; --no-cache runs everything; a failed or killed step records
# nothing; a cached rebuild unpacks nothing; builds on one store at once.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
. "$top/tests/build/lib.sh"

need_root cache "namespaces, overlayfs"

store=$TMP/store
busybox_store "$store"
export SOURCE_DATE_EPOCH=1700000000
ctx=$TMP/ctx
mkdir -p "$ctx/src"
printf 'app\n' >"$ctx/src/app.txt"
printf 'not read by any step\n' >"$ctx/notes.txt"
printf 'secret.txt\n' >"$ctx/.dockerignore"
printf 'ignored\n' >"$ctx/secret.txt"
# two stages, as the motivating case: one makes a file, the other copies it
df=$TMP/Dockerfile # outside the context: editing it changes no COPY . source
cat >"$df" <<'EOF'
FROM kdtest-base:1 AS build
ARG FLAVOUR=plain
RUN echo "flavour $FLAVOUR" > /flavour
COPY src/ /src/
RUN cat /flavour /src/app.txt > /out.txt
WORKDIR /work

FROM kdtest-base:1
COPY --from=build /out.txt /app/out.txt
COPY . /ctx/
RUN wc -l /app/out.txt > /app/count
EOF

# build NAME [ARGS...]: a build into $store with plain progress and timings
build() {
    _n=$1
    shift
    run "$KDOCTOR" build --progress plain --cache-dir "$store" --timings "$TMP/$_n.json" -f "$df" "$@" "$ctx"
    cp "$TMP/err" "$TMP/$_n.err"
    digest=$(cat "$TMP/out")
}

# steps NAME: "C" (cached) or "R" (ran) for each RUN/COPY/WORKDIR, in order
steps() {
    awk '/^#[0-9]+ \[.*\] (RUN|COPY|ADD|WORKDIR)/ { want = $1; next }
         want != "" && $1 == want && $2 == "CACHED" { printf "C"; want = "" }
         want != "" && $1 == want && $2 == "DONE" { printf "R"; want = "" }' "$TMP/$1.err"
}

# expect_steps NAME PATTERN
expect_steps() {
    got=$(steps "$1")
    if [ "$got" = "$2" ]; then ok "$1: steps $2 (C cached, R ran)"; else
        not_ok "$1: steps $2 (C cached, R ran)" "got $got" "$(tail -n 20 "$TMP/$1.err")"
    fi
}

entries() { find "$store/cache" -name '*.json' 2>/dev/null | wc -l; }

build cold
if [ "$status" = 0 ]; then ok "cold: builds"; else
    not_ok "cold: builds" "$(tail -n 10 "$TMP/err")"
    exit 0
fi
cold=$digest
expect_steps cold RRRRRRR
n=$(entries)
if [ "$n" = 7 ]; then ok "cold: one entry per RUN/COPY/WORKDIR"; else
    not_ok "cold: one entry per RUN/COPY/WORKDIR" "$n entries"
fi

build warm
expect_steps warm CCCCCCC
if [ "$digest" = "$cold" ]; then ok "warm: the same image digest"; else
    not_ok "warm: the same image digest" "$cold" "$digest"
fi
hits=$(grep -Eo '"cache_hit":[[:space:]]*true' "$TMP/warm.json" | wc -l)
if [ "$hits" = 7 ]; then ok "warm: the timings mark 7 steps cache_hit"; else
    not_ok "warm: the timings mark 7 steps cache_hit" "$hits"
fi

# only what a COPY reads counts: notes.txt is read by "COPY . /ctx/" only,
# secret.txt by nothing (.dockerignore)
printf 'changed\n' >"$TMP/secret"
cp "$TMP/secret" "$ctx/secret.txt"
build ignored
expect_steps ignored CCCCCCC
printf 'edited\n' >>"$ctx/notes.txt"
build notes
expect_steps notes CCCCCRR

# a file of COPY src/: that COPY and everything after it in the stage, and
# the second stage's COPY --from (its source changed) and what follows
printf 'app v2\n' >"$ctx/src/app.txt"
build edit
expect_steps edit CRRRRRR
if [ "$digest" != "$cold" ]; then ok "edit: a new image"; else
    not_ok "edit: a new image" "$digest"
fi
# the same content again: the first build's entries answer
printf 'app\n' >"$ctx/src/app.txt"
printf 'not read by any step\n' >"$ctx/notes.txt"
build back
expect_steps back CCCCCCC
if [ "$digest" = "$cold" ]; then ok "back: the first build's digest"; else
    not_ok "back: the first build's digest" "$cold" "$digest"
fi

# a build arg the first RUN sees
build arg --build-arg FLAVOUR=spicy
expect_steps arg RRRRRRR
# a changed line: the last RUN only
sed -i 's|wc -l /app/out.txt|wc -c /app/out.txt|' "$df"
build line
expect_steps line CCCCCCR
sed -i 's|wc -c /app/out.txt|wc -l /app/out.txt|' "$df"

build nocache --no-cache
expect_steps nocache RRRRRRR
if [ "$digest" = "$cold" ]; then ok "--no-cache: the same image digest as cached"; else
    not_ok "--no-cache: the same image digest as cached" "$cold" "$digest"
fi
if ! grep -q CACHED "$TMP/nocache.err"; then ok "--no-cache: nothing shown as CACHED"; else
    not_ok "--no-cache: nothing shown as CACHED" "$(grep CACHED "$TMP/nocache.err")"
fi

# a cached rebuild unpacks nothing: with every unpacked layer gone it still
# succeeds and leaves them gone; a miss then unpacks what it runs on
rm -rf "$store/layers"
build lazy
lay=$(find "$store/layers" -mindepth 2 -maxdepth 2 -type d 2>/dev/null | wc -l)
if [ "$status" = 0 ] && [ "$digest" = "$cold" ] && [ "$lay" = 0 ]; then
    ok "lazy: a cached rebuild unpacks nothing"
else
    not_ok "lazy: a cached rebuild unpacks nothing" "status $status, $lay layers unpacked" \
        "$(tail -n 5 "$TMP/err")"
fi
sed -i 's|wc -l /app/out.txt|wc -w /app/out.txt|' "$df"
build lazymiss
expect_steps lazymiss CCCCCCR
expect_grep "lazymiss: the miss unpacks the layers below it" err 'unpacking [0-9]+ layer'
sed -i 's|wc -w /app/out.txt|wc -l /app/out.txt|' "$df"

# a RUN heredoc with a #! line runs from a file: its body is in the key
mkdir -p "$TMP/hctx"
printf 'FROM kdtest-base:1\nRUN <<EOF\n#!/bin/sh\necho one > /h\nEOF\n' >"$TMP/hctx/Dockerfile"
run "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/hctx"
sed -i 's/echo one/echo two/' "$TMP/hctx/Dockerfile"
run "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/hctx"
if [ "$status" = 0 ] && ! grep -q CACHED "$TMP/err"; then ok "heredoc: an edited script body runs again"; else
    not_ok "heredoc: an edited script body runs again" "status $status" "$(tail -n 4 "$TMP/err")"
fi
run "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/hctx"
expect_grep "heredoc: the same body hits" err '^#2 CACHED'

# a failing step records nothing: run again, it runs again
mkdir -p "$TMP/fctx"
cat >"$TMP/fctx/Dockerfile" <<'EOF'
FROM kdtest-base:1
RUN echo "ran once more" && echo x > /x && exit 4
EOF
before=$(entries)
run "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/fctx"
run "$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/fctx"
after=$(entries)
if [ "$status" = 1 ] && [ "$before" = "$after" ] && grep -q "ran once more" "$TMP/err"; then
    ok "failure: no entry, the step runs again"
else
    not_ok "failure: no entry, the step runs again" "status $status, entries $before -> $after"
fi

# a killed build: the step in flight records nothing
cat >"$TMP/fctx/Dockerfile" <<'EOF'
FROM kdtest-base:1
RUN touch /started && sleep 30 && touch /done
EOF
before=$(entries)
"$KDOCTOR" build --progress plain --cache-dir "$store" "$TMP/fctx" >"$TMP/kout" 2>"$TMP/kerr" &
kpid=$!
wait_grep 'RUN touch' "$TMP/kerr"
sleep 0.5
kill -TERM "$kpid"
wait "$kpid"
kst=$?
after=$(entries)
if [ "$kst" = 130 ] && [ "$before" = "$after" ]; then ok "killed: no entry"; else
    not_ok "killed: no entry" "status $kst, entries $before -> $after"
fi

# 8 builds at once on one store, all cold for their last step: every one
# succeeds with the same digest, and the store has one entry for it
sed -i 's|wc -l /app/out.txt|wc -l /app/out.txt /ctx/notes.txt|' "$df"
pids=
for i in 1 2 3 4 5 6 7 8; do
    "$KDOCTOR" build --progress plain --cache-dir "$store" -f "$df" "$ctx" >"$TMP/c$i.out" 2>"$TMP/c$i.err" &
    pids="$pids $!"
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
ndig=$(cat "$TMP"/c?.out | sort -u | wc -l)
if [ "$fails" = 0 ] && [ "$ndig" = 1 ]; then ok "concurrent: 8 builds, one digest"; else
    not_ok "concurrent: 8 builds, one digest" "$fails failed, $ndig digests" \
        "$(tail -n 5 "$TMP/c1.err")"
fi
build afterconc
expect_steps afterconc CCCCCCC
left=$(find "$store/tmp" -mindepth 1 2>/dev/null | head -n 3)
if [ -z "$left" ]; then ok "concurrent: the store's tmp is empty"; else
    not_ok "concurrent: the store's tmp is empty" "$left"
fi
exit 0
