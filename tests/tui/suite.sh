#!/bin/sh
# The terminal report, driven in tmux: keys sent with send-keys, the screen
# read with capture-pane. Also the plain-text fallback and bad input.
. "$(dirname "$0")/../lib.sh"
report="$(cd "$(dirname "$0")" && pwd)/report.json"

# the plain-text fallback needs no terminal
run "$KDOCTOR" report "$report"
if [ "$status" -eq 0 ] && grep -q '^original .*52.33 s' "$TMP/out" && grep -q '\^ merged' "$TMP/out"; then
    ok "report without a terminal prints tables"
else
    not_ok "report without a terminal prints tables" "$(head -20 "$TMP/out")" "$(cat "$TMP/err")"
fi
run "$KDOCTOR" report --no-tui --warm "$report"
if grep -q 'warm builds' "$TMP/out" && ! grep -q 'cold builds' "$TMP/out"; then
    ok "report --warm prints only the warm tables"
else
    not_ok "report --warm prints only the warm tables"
fi
printf '{"schema": "kdoctor.timings/1"}' >"$TMP/t.json"
expect_status "a timings file is not a report" 2 "$KDOCTOR" report "$TMP/t.json"
expect_grep "a timings file is named" err 't.json: not a kdoctor compare report'
printf '{' >"$TMP/bad.json"
expect_status "broken JSON exits 2" 2 "$KDOCTOR" report "$TMP/bad.json"
expect_status "a missing report exits 2" 2 "$KDOCTOR" report "$TMP/none.json"

if ! command -v tmux >/dev/null 2>&1; then
    skip "terminal UI" "tmux is not installed"
    exit 0
fi
sock="$TMP/tmux.sock"
T() { tmux -S "$sock" "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$TMP"' EXIT INT TERM

# start NAME W H ENV: the report in a fresh session
start() {
    T kill-session -t kd 2>/dev/null
    T new-session -d -s kd -x "$2" -y "$3" \
        "env TERM=xterm-256color $4 '$KDOCTOR' report '$report'; echo EXITED; sleep 60"
    wait_for "original"
}
screen() { T capture-pane -t kd -p; }
# wait_for TEXT: the screen shows TEXT (up to about 20 s: the machine may be loaded)
wait_for() {
    i=0
    while [ $i -lt 200 ]; do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
# check NAME TEXT: the screen shows TEXT now (after a redraw)
check() {
    if wait_for "$2"; then ok "$1"; else not_ok "$1" "screen:" "$(screen)"; fi
}

start main 80 24 ""
check "opens at 80x24 with the summary" "fixed          47.20 s"
check "the step table shows the merged RUNs" "merged"
check "the keys are shown" "? help  q quit"
T send-keys -t kd Down Down Enter
check "Enter opens the step's detail" "stands for 3 steps of the original"
check "the detail shows phases" "compress"
check "the detail shows the log" "Reading package lists"
T send-keys -t kd Escape w
check "w switches to the warm builds" "kdoctor compare  warm"
check "warm figures" "39.40 s"
# wait_line N TEXT: line N of the screen shows TEXT (up to about 20 s: the machine may be loaded)
wait_line() {
    i=0
    while [ $i -lt 200 ]; do
        screen | sed -n "$1p" | grep -qF -- "$2" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
T send-keys -t kd s
if wait_line 8 'npm install'; then ok "s sorts the steps by time"; else
    not_ok "s sorts the steps by time" "$(screen)"
fi
T send-keys -t kd e
check "e shows image efficiency" "in caches  score"
T send-keys -t kd Tab
check "Tab moves to the next variant's layers" "layers of fixed"
T send-keys -t kd Escape '?'
check "? shows the help" "Esc, Backspace back to the table"
T send-keys -t kd Escape
T resize-window -t kd -x 100 -y 30
# at 100 columns the whole Dockerfile path fits beside the key hints
check "a resize redraws to the new width" "examples/node-app/Dockerfile"
T resize-window -t kd -x 30 -y 8
check "a tiny window says so" "window too small"
T resize-window -t kd -x 80 -y 24
T send-keys -t kd q
check "q quits" "EXITED"

# colours: escape codes with colours, none with NO_COLOR
start colour 80 24 ""
# an SGR colour other than the defaults 39 and 49
colours() { T capture-pane -t kd -e -p | grep -Eq '\[([0-9;]*;)?([34][0-7]|38;5;[0-9]+)(;[0-9;]*)?m'; }
if colours; then ok "colours on a colour terminal"; else
    not_ok "colours on a colour terminal"
fi
T send-keys -t kd q
start mono 80 24 "NO_COLOR=1"
if colours; then
    not_ok "NO_COLOR turns colours off" "$(T capture-pane -t kd -e -p | head -3 | od -c | head)"
else
    ok "NO_COLOR turns colours off"
fi
check "NO_COLOR still shows the table" "RUN npm install"
T send-keys -t kd q
