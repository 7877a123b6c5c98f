#!/bin/sh
# kdoctor compare end to end, on a base image made locally (busybox-static
# and `kdoctor import`): the variants, the aligned steps, layer counts,
# medians and runs in the JSON; the text tables; `kdoctor report` of the
# saved JSON; a failing variant; bad arguments; Ctrl-C; the terminal UI
# opening after the builds (tmux). Nothing may be left in the store's tmp.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
. "$top/tests/build/lib.sh"

# ---- bad arguments (no root needed) ----
expect_status "no context exits 2" 2 "$KDOCTOR" compare
expect_status "--runs 0 exits 2" 2 "$KDOCTOR" compare --runs 0 .
expect_status "--runs x exits 2" 2 "$KDOCTOR" compare --runs x .
expect_status "--cold with --warm exits 2" 2 "$KDOCTOR" compare --cold --warm .
expect_status "an unknown option exits 2" 2 "$KDOCTOR" compare --frobnicate .
expect_status "two contexts exit 2" 2 "$KDOCTOR" compare . ..
expect_status "-f - exits 2" 2 "$KDOCTOR" compare -f - .
expect_status "--network bogus exits 2" 2 "$KDOCTOR" compare --network bogus .
expect_status "--json into a missing folder exits 2 at once" 2 \
    "$KDOCTOR" compare --json "$TMP/no/such/r.json" .
expect_grep "--json into a missing folder is named" err "cannot write into $TMP/no/such"
run "$KDOCTOR" help compare
expect_grep "help compare shows the usage" out '^Usage: kdoctor compare'

need_root compare "namespaces, overlayfs"
if [ ! -x /bin/busybox ]; then
    skip compare "/bin/busybox is missing (apt-get install busybox-static)"
    exit 0
fi

store=$TMP/store
# the sandbox's own temp dirs land here, away from other kdoctors' (and
# the leak checks see them)
export TMPDIR="$TMP/tmpdir"
mkdir -p "$TMPDIR"
busybox_store "$store"
ctx=$TMP/ctx
mkdir -p "$ctx"
cp "$top/examples/cache-costs/apt-get" "$ctx/apt-get"
# three RUNs that --fix joins, and apt lists it removes (KD1500, KD1510)
cat >"$ctx/Dockerfile" <<'EOF'
FROM kdtest-base:1
COPY apt-get /usr/bin/apt-get
RUN apt-get update
RUN apt-get install -y curl
RUN apt-get install -y git
CMD ["sh"]
EOF

nothing_left() {
    left=$(find "$store/tmp" -mindepth 1 2>/dev/null | head -n 5)
    if [ -z "$left" ]; then ok "$1: nothing is left in the store's tmp"; else
        not_ok "$1: nothing is left in the store's tmp" "$left"
    fi
    left=$(find "$TMPDIR" -mindepth 1 2>/dev/null | head -n 5)
    if [ -z "$left" ]; then ok "$1: no sandbox temp dir is left"; else
        not_ok "$1: no sandbox temp dir is left" "$left"
    fi
    if [ "$(mounts_under "$TMP")" = 0 ]; then ok "$1: no mount is left"; else
        not_ok "$1: no mount is left" "$(findmnt -rn -o TARGET | grep "^$TMP" | head -n 5)"
    fi
}
# jq_true NAME FILTER: the filter holds on the report
jq_true() {
    if jq -e "$2" "$TMP/r.json" >/dev/null 2>&1; then ok "$1"; else
        not_ok "$1" "jq: $2" "$(jq -c "$2" "$TMP/r.json" 2>&1 | head -c 300)"
    fi
}

expect_status "missing Dockerfile exits 2" 2 "$KDOCTOR" compare --cache-dir "$store" "$TMP/none"
expect_status "missing --variant file exits 2" 2 \
    "$KDOCTOR" compare --cache-dir "$store" --variant "$TMP/none.Dockerfile" "$ctx"
printf 'FROM kdtest-base:1\nRUN <<EOF\necho\n' >"$TMP/bad.Dockerfile"
expect_status "a Dockerfile that does not parse exits 2" 2 \
    "$KDOCTOR" compare --cache-dir "$store" -f "$TMP/bad.Dockerfile" "$ctx"
expect_grep "a Dockerfile that does not parse is named" err 'bad.Dockerfile:2:5: unterminated heredoc'
expect_status "a --variant that does not parse exits 2" 2 \
    "$KDOCTOR" compare --cache-dir "$store" --variant "$TMP/bad.Dockerfile" "$ctx"
nothing_left "bad input"

# ---- two cold runs, the JSON and the text ----
run "$KDOCTOR" compare --runs 2 --no-tui --json "$TMP/r.json" --cache-dir "$store" "$ctx"
if [ "$status" = 0 ]; then ok "compare exits 0"; else
    not_ok "compare exits 0" "status $status" "$(tail -n 5 "$TMP/err")"
fi
jq_true "the JSON has the schema" '.schema == "kdoctor.compare/1"'
jq_true "variants: original, fixed" '[.variants[].name] == ["original", "fixed", "fixed-unsafe"]'
jq_true "the fixed variant lists its fixes" \
    '.variants[1].fixes | any(test("KD1500")) and any(test("KD1510"))'
jq_true "a fix's temp file is not named, the original is" \
    '.variants[1].dockerfile == "" and (.variants[0].dockerfile | endswith("ctx/Dockerfile"))'
jq_true "runs count honoured" '.runs == 2 and all(.variants[]; .total.cold.runs == 2)'
jq_true "cold only by default" '.modes == ["cold"] and all(.variants[]; .total.warm == null)'
jq_true "medians present" \
    'all(.variants[]; .total.cold.median_ms > 0 and .total.cold.min_ms <= .total.cold.median_ms)'
jq_true "per-step medians present" \
    'all(.variants[0].steps[] | select(.instruction == "RUN"); .total.cold.runs == 2)'
jq_true "phases present" '.variants[0].phases.cold.run.median_ms > 0'
jq_true "layer counts: 5 as written, 3 fixed" \
    '.variants[0].image.layers == 5 and .variants[1].image.layers == 3'
jq_true "the merged RUN stands against the three" \
    '(.variants[0].steps | map(select(.instruction == "RUN")) | map(.row)) as $o |
     (.variants[1].steps[] | select(.instruction == "RUN")) | .row == $o[0] and .row_span == 3'
jq_true "the apt lists are in a cache folder as written, not when fixed" \
    '.variants[0].efficiency.cache_bytes > 0 and .variants[1].efficiency.cache_bytes == 0'
jq_true "the fixed image is smaller" '.variants[1].image.size < .variants[0].image.size'
jq_true "a step's log is kept" \
    '.variants[0].steps[2].log | test("Reading package lists")'
jq_true "a step's layer has its files" \
    '.variants[0].steps[3].layer.added > 0 and (.variants[0].steps[3].largest[0].path == "/usr/share/curl/data")'
jq_true "base layers counted" '.variants[0].efficiency.base_layers == 1'
expect_grep "the text report has the summary" out '^original +[0-9.]+ m?s'
expect_grep "the text report shows the merged RUN" out '\^ merged'
expect_grep "progress names the warm-up build" err '^\[1/7\] original, a warm-up build, not measured: '
expect_grep "progress names each build" err '^\[2/7\] original, cold run 1/2: '
nothing_left "compare"

run "$KDOCTOR" report --no-tui "$TMP/r.json"
if [ "$status" = 0 ] && grep -q '^fixed ' "$TMP/out"; then ok "kdoctor report reads the saved JSON"; else
    not_ok "kdoctor report reads the saved JSON" "status $status" "$(head -c 300 "$TMP/err")"
fi

# ---- warm builds and a variant that fails ----
# it prints 100 kB first: the log keeps the last 16 KiB
sed 's/^RUN apt-get install -y git$/RUN yes "broken on purpose" | head -c 100000; exit 3/' \
    "$ctx/Dockerfile" \
    >"$TMP/broken.Dockerfile"
run "$KDOCTOR" compare --warm --runs 1 --no-tui --json "$TMP/r.json" --cache-dir "$store" \
    --variant "$TMP/broken.Dockerfile" "$ctx"
if [ "$status" = 1 ]; then ok "a failing variant: exit status 1"; else
    not_ok "a failing variant: exit status 1" "status $status" "$(tail -n 5 "$TMP/err")"
fi
jq_true "a failing variant: its error is in the report" \
    '.variants[3].name == "broken.Dockerfile" and (.variants[3].error | test("exit code: 3"))'
jq_true "a failing variant: the others built" \
    '.variants[0].error == null and .variants[0].total.warm.runs == 1'
jq_true "a failing variant: its log is kept" \
    '.variants[3].steps | any(.log != null and (.log | test("broken on purpose")))'
jq_true "a long log keeps its tail, says how much was cut" \
    '.variants[3].steps | map(select(.log != null and (.log | test("broken")))) | .[0].log |
     test("^\\[\\.\\.\\. [0-9]+ bytes cut\\]\nbroken on purpose\n") and length < 16500'
jq_true "--warm measures warm builds only" '.modes == ["warm"] and .variants[0].total.cold == null'
expect_grep "a failing variant: the text says so" out 'broken.Dockerfile: the build failed'
nothing_left "a failing variant"

# ---- --target and --build-arg reach every build ----
printf 'FROM kdtest-base:1 AS first\nARG MSG\nRUN echo "msg=$MSG"\nFROM kdtest-base:1\nRUN false\n' \
    >"$TMP/stages.Dockerfile"
run "$KDOCTOR" compare --runs 1 --no-tui --json "$TMP/r.json" --cache-dir "$store" \
    -f "$TMP/stages.Dockerfile" --target first --build-arg MSG=from-the-command-line "$ctx"
if [ "$status" = 0 ]; then ok "--target: only that stage is built"; else
    not_ok "--target: only that stage is built" "status $status" "$(tail -n 5 "$TMP/err")"
fi
jq_true "--target: the steps are the stage's" 'all(.variants[0].steps[]; .stage == 0)'
jq_true "--build-arg: the build sees it" \
    '.variants[0].steps | any(.log != null and (.log | test("msg=from-the-command-line")))'

# ---- Ctrl-C ----
printf 'FROM kdtest-base:1\nRUN echo started; sleep 98766\n' >"$TMP/slow.Dockerfile"
"$KDOCTOR" compare --no-tui --cache-dir "$store" -f "$TMP/slow.Dockerfile" "$ctx" \
    >"$TMP/out" 2>"$TMP/err" &
pid=$!
for i in $(seq 1 100); do
    pgrep -f "sleep 98766" >/dev/null && break
    sleep 0.1
done
kill -INT "$pid"
wait "$pid"
status=$?
if [ "$status" = 130 ]; then ok "Ctrl-C: exit status 130"; else
    not_ok "Ctrl-C: exit status 130" "status $status" "$(tail -n 5 "$TMP/err")"
fi
if pgrep -f "sleep 98766" >/dev/null; then not_ok "Ctrl-C: no process is left"; else
    ok "Ctrl-C: no process is left"
fi
nothing_left "Ctrl-C"

# ---- the terminal UI after the builds ----
if ! command -v tmux >/dev/null 2>&1; then
    skip "compare opens the terminal UI" "tmux is not installed"
    exit 0
fi
sock="$TMP/tmux.sock"
T() { tmux -S "$sock" "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$TMP"' EXIT INT TERM
T new-session -d -s kd -x 100 -y 30 \
    "env TERM=xterm-256color '$KDOCTOR' compare --runs 1 --cache-dir '$store' '$ctx'; echo EXITED; sleep 60"
# wait_for TEXT [TRIES]: the screen shows TEXT (builds first: up to 60 s)
wait_for() {
    i=0
    while [ $i -lt "${2:-600}" ]; do
        T capture-pane -t kd -p | grep -qF -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
if wait_for "? help  q quit"; then ok "compare opens the terminal UI"; else
    not_ok "compare opens the terminal UI" "$(T capture-pane -t kd -p)"
fi
if wait_for "fixed" 50 && wait_for "merged" 50; then ok "the UI shows the variants and merged steps"; else
    not_ok "the UI shows the variants and merged steps" "$(T capture-pane -t kd -p)"
fi
T send-keys -t kd q
if wait_for "EXITED" 50; then ok "q quits the UI"; else not_ok "q quits the UI" "$(T capture-pane -t kd -p)"; fi
nothing_left "the terminal UI"
sh "$(dirname "$0")/pull.sh"
