#!/bin/sh
# kdoctor lint, rules and explain on the command line: inputs, exit
# statuses, every option, config files, suppressions and declarative rules.
. "$(dirname "$0")/../lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TMP" || exit 1

printf 'FROM alpine:3.20\nRUN echo hi\nCMD ["sh"]\n' >clean
printf 'FROM ubuntu\nADD app.conf /etc/\nCMD run-app\n' >dirty
printf 'FROM alpine:3.20\nRUN <<EOF\necho\n' >broken

expect_status "clean file exits 0" 0 "$KDOCTOR" lint --no-config clean
expect_grep "clean file says so" out '^no findings in 1 file$'
expect_status "findings exit 1" 1 "$KDOCTOR" lint --no-config dirty
expect_grep "tty line: file:line:col: severity id name: message" out \
    '^dirty:1:6: warning KD4106 untagged-image: .ubuntu. has no tag'
expect_grep "tty shows the source line" out '^    2 \| ADD app.conf /etc/$'
expect_grep "tty puts a caret and tildes under the span" out '^      \| \^~~$'
expect_grep "tty summary counts by severity" out '^3 findings in 1 file: 3 warnings$'
if grep -q "$(printf '\033')" "$TMP/out"; then not_ok "no colours when not a terminal"; else ok "no colours when not a terminal"; fi
expect_status "--color=always" 1 "$KDOCTOR" lint --no-config --color always dirty
if grep -q "$(printf '\033')\[1;33mwarning" "$TMP/out"; then ok "--color=always colours severities"; else not_ok "--color=always colours severities"; fi
expect_status "--color takes a known value" 2 "$KDOCTOR" lint --color sometimes dirty

run sh -c "cat dirty | '$KDOCTOR' lint --no-config -"
[ "$status" -eq 1 ] && grep -q '^<stdin>:1:6: warning KD4106' "$TMP/out" && ok "- reads standard input" ||
    not_ok "- reads standard input" "$(cat "$TMP/out")"

expect_status "several files" 1 "$KDOCTOR" lint --no-config clean dirty
expect_grep "several files are counted" out 'in 2 files'
expect_status "a parse error exits 2" 2 "$KDOCTOR" lint --no-config clean broken dirty
expect_grep "a parse error names file:line:col" err 'broken:2:5: unterminated heredoc'
expect_grep "the other files are still linted" out 'dirty:1:6'
expect_status "a missing file exits 2" 2 "$KDOCTOR" lint --no-config nope
expect_grep "a missing file is named" err 'cannot open nope'
printf 'FROM alpine:3.20\nRUNN x\n' >unknown
expect_status "an unknown instruction is an error finding" 1 "$KDOCTOR" lint --no-config unknown
expect_grep "an unknown instruction is reported" out '^unknown:2:1: error KD2100 unknown-instruction'
expect_status "no file is a usage error" 2 "$KDOCTOR" lint
expect_status "an unknown option is a usage error" 2 "$KDOCTOR" lint --frob dirty
expect_grep "the unknown option is named" err "kdoctor lint: unknown option or missing value: '--frob'"

# directories
mkdir -p tree/svc/.hidden tree/node_modules/x tree/web
cp dirty tree/Dockerfile
cp clean tree/svc/api.Dockerfile
cp clean tree/web/Dockerfile.dev
cp clean tree/svc/.hidden/Dockerfile
cp clean tree/node_modules/x/Dockerfile
printf 'x\n' >tree/web/Dockerfile.dev.dockerignore
printf 'x\n' >tree/notes.txt
expect_status "a directory is searched" 1 "$KDOCTOR" lint --no-config -f gnu tree
expect_grep "it finds Dockerfile" out '^tree/Dockerfile:1\.6'
expect_status "the files found" 1 "$KDOCTOR" lint --no-config tree
expect_grep "Dockerfile, *.Dockerfile and Dockerfile.*, not hidden folders or node_modules" out 'in 3 files'
mkdir empty
expect_status "a directory without Dockerfiles exits 2" 2 "$KDOCTOR" lint --no-config empty
expect_grep "and says what it looked for" err 'no Dockerfile found'

# thresholds
expect_status "--failure-threshold error passes warnings" 0 "$KDOCTOR" lint --no-config --failure-threshold error dirty
expect_status "--failure-threshold warning" 1 "$KDOCTOR" lint --no-config --failure-threshold warning dirty
expect_status "--failure-threshold none" 0 "$KDOCTOR" lint --no-config --failure-threshold none unknown
printf 'FROM alpine:3.20 AS Build\n' >style
expect_status "style findings pass the default threshold (info)" 0 "$KDOCTOR" lint --no-config style
expect_status "--failure-threshold style" 1 "$KDOCTOR" lint --no-config --failure-threshold style style
expect_status "--failure-threshold takes a level" 2 "$KDOCTOR" lint --failure-threshold loud dirty

# selection and severities
expect_status "--select by id" 1 "$KDOCTOR" lint --no-config -f gnu --select KD1101 dirty
if [ "$(grep -c . "$TMP/out")" -eq 1 ] && grep -q '\[KD1101\]' "$TMP/out"; then ok "--select keeps only that rule"; else not_ok "--select keeps only that rule" "$(cat "$TMP/out")"; fi
expect_status "--select by name and hadolint alias" 1 "$KDOCTOR" lint --no-config -f gnu --select untagged-image,DL3020 dirty
[ "$(grep -c . "$TMP/out")" -eq 2 ] && ok "--select takes a list" || not_ok "--select takes a list" "$(cat "$TMP/out")"
expect_status "--select by prefix" 1 "$KDOCTOR" lint --no-config -f gnu --select KD1 dirty
[ "$(grep -c . "$TMP/out")" -eq 1 ] && ok "--select KD1 is the cost rules" || not_ok "--select KD1 is the cost rules" "$(cat "$TMP/out")"
expect_status "--ignore" 1 "$KDOCTOR" lint --no-config -f gnu --ignore KD4106 --ignore JSONArgsRecommended dirty
[ "$(grep -c . "$TMP/out")" -eq 1 ] && ok "--ignore by id and BuildKit name" || not_ok "--ignore by id and BuildKit name" "$(cat "$TMP/out")"
expect_status "--ignore everything found" 0 "$KDOCTOR" lint --no-config --ignore KD4106,KD1101,KD2123 dirty
expect_status "an unknown rule in --select is a usage error" 2 "$KDOCTOR" lint --select KD9999 dirty
expect_grep "and is named" err "no rule matches 'KD9999'"
expect_status "--severity ID=level" 1 "$KDOCTOR" lint --no-config -f gnu --severity KD4106=error,DL3020=style dirty
expect_grep "--severity raises" out '^dirty:1\.6-1\.11: error: .* \[KD4106\]'
expect_grep "--severity lowers" out '^dirty:2\.1-2\.3: style: .* \[KD1101\]'
expect_status "--severity ID=off disables" 1 "$KDOCTOR" lint --no-config -f gnu --severity KD4106=off dirty
if grep -q KD4106 "$TMP/out"; then not_ok "--severity off"; else ok "--severity off"; fi
expect_status "--severity needs RULE=LEVEL" 2 "$KDOCTOR" lint --severity KD4106 dirty
expect_status "--statistics" 1 "$KDOCTOR" lint --no-config --statistics dirty clean
expect_grep "--statistics counts per rule" out '^ +1  KD1101  add-instead-of-copy +warning$'
expect_status "-q prints nothing" 1 "$KDOCTOR" lint --no-config -q dirty
[ -s "$TMP/out" ] && not_ok "-q is quiet" || ok "-q is quiet"

# inline suppressions
printf '# kdoctor ignore=KD4106\nFROM ubuntu\n# hadolint ignore=DL3020\nADD a /a\nCMD ["x"]\n' >suppressed
expect_status "inline kdoctor and hadolint ignores" 0 "$KDOCTOR" lint --no-config suppressed
printf 'FROM ubuntu\n# kdoctor global ignore=KD4106,KD1101\nADD a /a\n' >global
expect_status "global ignore" 0 "$KDOCTOR" lint --no-config global

# config files
mkdir -p proj/sub
cp dirty proj/sub/Dockerfile
printf 'ignore: [KD4106]\nseverity:\n  KD1101: error\nfailure-threshold: error\n' >proj/.kdoctor.yaml
expect_status "the config is found from the file's folder upwards" 1 "$KDOCTOR" lint -f gnu proj/sub/Dockerfile
if grep -q KD4106 "$TMP/out"; then not_ok "config ignore applies"; else ok "config ignore applies"; fi
expect_grep "config severity applies" out 'error: .* \[KD1101\]'
expect_status "config failure threshold applies" 0 "$KDOCTOR" lint -f gnu --ignore KD1101 proj/sub/Dockerfile
expect_status "the command line wins over the config" 1 "$KDOCTOR" lint --severity KD1101=warning --failure-threshold warning proj/sub/Dockerfile
expect_status "--no-config" 1 "$KDOCTOR" lint -f gnu --no-config proj/sub/Dockerfile
expect_grep "--no-config ignores the file" out 'KD4106'
printf 'ignore: [KD4106]\nfrobs: 1\n' >bad.yaml
expect_status "a bad config exits 2" 2 "$KDOCTOR" lint --config bad.yaml dirty
expect_grep "a bad config names file:line:col" err 'bad.yaml:2:1: unknown key .frobs.'
printf 'ignore: [KD4106\n' >broken.yaml
expect_status "bad YAML exits 2" 2 "$KDOCTOR" lint --config broken.yaml dirty
expect_grep "bad YAML names file:line:col" err 'broken.yaml:2:1: bad YAML'
printf 'trusted-registries: [ghcr.io]\nallowed-base-images: [alpine]\noptions:\n  fat-base-image: {min-saving-mb: 1000}\n' >policy.yaml
printf 'FROM node:20\n' >node
expect_status "trusted registries, allowed images and rule options" 1 "$KDOCTOR" lint -f gnu --config policy.yaml node
expect_grep "untrusted registry" out '\[KD3101\]'
expect_grep "base image not allowed" out '\[KD3102\]'
if grep -q KD1100 "$TMP/out"; then not_ok "rule option min-saving-mb"; else ok "rule option min-saving-mb"; fi

# declarative rules
cat >team.json <<'JSON'
{"rules": [
  {"id": "ACME1", "name": "no-curl-pipe", "instruction": "RUN",
   "pattern": "curl[^|]*\\|\\s*(ba)?sh", "message": "do not pipe curl into a shell",
   "severity": "error", "category": "security", "link": "https://example.com/acme1"},
  {"id": "ACME2", "instruction": ["FROM"], "pattern": "^\\S*:\\S*-dev\\b",
   "unless": "AS\\s+build", "message": "no -dev images in the final stage"}
]}
JSON
printf 'FROM node:20-dev AS build\nFROM node:20-dev\nRUN curl -fsSL https://x.sh | sh\n' >team
expect_status "--rules adds declarative rules" 1 "$KDOCTOR" lint --no-config -f gnu --rules team.json --select ACME team
expect_grep "a declarative rule reports the match" out '^team:3\.5-3\.32: error: do not pipe curl into a shell \[ACME1\]$'
expect_grep "unless skips an instruction" out '^team:2\.6'
[ "$(grep -c . "$TMP/out")" -eq 2 ] && ok "declarative rules fire exactly" || not_ok "declarative rules fire exactly" "$(cat "$TMP/out")"
mkdir -p withrules
cp team.json withrules/
printf 'rules: [team.json]\n' >withrules/.kdoctor.yaml
cp team withrules/Dockerfile
expect_status "rules: in the config" 1 "$KDOCTOR" lint -f gnu withrules/Dockerfile
expect_grep "config rules run" out '\[ACME1\]'
printf 'ignore: [ACME1]\nseverity: {no-curl-pipe: style}\nrules: [team.json]\n' >withrules/.kdoctor.yaml
expect_status "the config may name the rules of its own rule files" 1 "$KDOCTOR" lint -f gnu withrules/Dockerfile
if grep -q ACME1 "$TMP/out"; then not_ok "and ignore them" "$(cat "$TMP/out")"; else ok "and ignore them"; fi
printf 'ignore: [KD1100, typo-rule]\n' >withrules/.kdoctor.yaml
expect_status "a config naming no rule exits 2" 2 "$KDOCTOR" lint withrules/Dockerfile
expect_grep "and names the place" err '\.kdoctor\.yaml:1:18: unknown rule .typo-rule.'
printf '[{"id": "X1", "message": "m",\n  "pattern": "a(b"}]\n' >badpat.json
expect_status "a bad pattern exits 2" 2 "$KDOCTOR" lint --rules badpat.json dirty
expect_grep "a bad pattern names its position" err 'badpat.json:2:18: bad pattern: missing closing parenthesis'
expect_status "kdoctor rules --rules lists them" 0 "$KDOCTOR" rules --rules team.json
expect_grep "listed" out '^ACME1 +no-curl-pipe +error +security'

# rules and explain
expect_status "kdoctor rules" 0 "$KDOCTOR" rules
expect_grep "rules lists id, name, severity, category, fix, aliases" out '^KD1101 +add-instead-of-copy +warning +cost +safe +DL3020$'
expect_grep "rules says when a rule is off by default" out 'KD4109 .*\(off by default\)'
expect_status "kdoctor rules --json" 0 "$KDOCTOR" rules --json
expect_grep "rules --json has aliases" out '"DuplicateStageName"'
expect_status "kdoctor explain by id" 0 "$KDOCTOR" explain KD1101
expect_grep "explain prints the page" out '^# KD1101 add-instead-of-copy$'
expect_grep "explain has the Bad example" out '^## Bad$'
expect_status "explain by alias" 0 "$KDOCTOR" explain DL3006
expect_grep "explain by alias finds the rule" out '^# KD4106 untagged-image$'
expect_status "explain an unknown rule exits 2" 2 "$KDOCTOR" explain KD0000
expect_status "help lint" 0 "$KDOCTOR" help lint
expect_grep "help lint shows usage" out '^Usage: kdoctor lint'
expect_status "help rules" 0 "$KDOCTOR" help rules
expect_status "help explain" 0 "$KDOCTOR" help explain
expect_status "lint --help" 0 "$KDOCTOR" lint --help

# the real-world corpus: no crash and no error on any file
real="$KDOCTOR_CORPUS/real"
if [ -d "$real" ]; then
    run "$KDOCTOR" lint --no-config --failure-threshold none -f json "$real"
    n=$(ls "$real" | grep -c Dockerfile)
    files=$(grep -c '"path":' "$TMP/out")
    if [ "$status" -eq 0 ] && [ ! -s "$TMP/err" ] && [ "$files" -eq "$n" ]; then
        ok "real corpus: all $n files lint without an error"
    else
        not_ok "real corpus: all $n files lint without an error" "status $status, $files files" "$(head -n 5 "$TMP/err")"
    fi
else
    skip "real corpus" "not found at $real"
fi
