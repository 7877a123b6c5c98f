#!/bin/sh
# kdoctor lint's output formats, each checked by a reader of that format:
# json and gitlab with jq, sarif with jq and against the SARIF 2.1.0 JSON
# schema (ajv 6 and the schema shipped by the npm package
# @microsoft/jest-sarif, installed once into out/npm-tools when npm is
# there), checkstyle with xmllint. Inputs include bytes that are not UTF-8
# and characters that XML and JSON must escape.
. "$(dirname "$0")/../lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TMP" || exit 1

printf 'FROM ubuntu\nADD app.conf /etc/\nCMD run-app\nLABEL a&b<c>="x"\n' >dirty
printf 'FROM alpine:3.20\nCMD ["sh"]\n' >clean
printf 'FROM alpine:3.20\nLABEL k\xff\xfe"<&>=1\n' >binary
need() { command -v "$1" >/dev/null 2>&1 || { skip "$2" "$1 is not installed"; return 1; }; }

# json
run "$KDOCTOR" lint --no-config -f json dirty clean binary
if need jq "json checks"; then
    if jq -e . "$TMP/out" >/dev/null 2>&1; then ok "json is valid JSON (invalid UTF-8 replaced)"; else not_ok "json is valid JSON" "$(head -c 400 "$TMP/out")"; fi
    got=$(jq -c '.findings[] | select(.id == "KD1101") | [.id, .name, .severity, .category, .aliases, .file, .line, .column, .end_line, .end_column, .fixable, .fix]' "$TMP/out")
    want='["KD1101","add-instead-of-copy","warning","cost",["DL3020"],"dirty",2,1,2,4,true,"safe"]'
    [ "$got" = "$want" ] && ok "json finding fields" || not_ok "json finding fields" "got  $got" "want $want"
    got=$(jq -c '.findings[] | select(.id == "KD2123") | .aliases' "$TMP/out")
    [ "$got" = '["DL3025","JSONArgsRecommended"]' ] && ok "json aliases: hadolint then BuildKit" || not_ok "json aliases" "$got"
    got=$(jq -c '[.version, .tool, [.files[].path], .summary.warning]' "$TMP/out")
    [ "$got" = '[1,"kdoctor",["dirty","clean","binary"],3]' ] && ok "json header, files and summary" || not_ok "json header" "$got"
    jq -e '.findings | all(has("message") and (.message | type == "string"))' "$TMP/out" >/dev/null &&
        ok "json messages are strings" || not_ok "json messages are strings"
    run "$KDOCTOR" lint --no-config -f json clean
    [ "$(jq -c '.findings' "$TMP/out")" = "[]" ] && ok "json without findings" || not_ok "json without findings"
fi

# sarif
run "$KDOCTOR" lint --no-config -f sarif dirty clean binary
cp "$TMP/out" "$TMP/k.sarif"
if need jq "sarif structure"; then
    got=$(jq -c '[.version, ."$schema", .runs[0].tool.driver.name, .runs[0].columnKind]' "$TMP/k.sarif")
    [ "$got" = '["2.1.0","https://json.schemastore.org/sarif-2.1.0.json","kdoctor","unicodeCodePoints"]' ] &&
        ok "sarif header" || not_ok "sarif header" "$got"
    jq -e '.runs[0] as $r | $r.results | length > 0 and all(.ruleId == $r.tool.driver.rules[.ruleIndex].id)' "$TMP/k.sarif" >/dev/null &&
        ok "sarif ruleIndex points at the rule" || not_ok "sarif ruleIndex points at the rule"
    jq -e '.runs[0].tool.driver.rules | length >= 44 and all(.id and .name and .shortDescription.text and .help.text and .defaultConfiguration.level)' "$TMP/k.sarif" >/dev/null &&
        ok "sarif rules have ids, names, help and default levels" || not_ok "sarif rules"
    got=$(jq -c '.runs[0].results[] | select(.ruleId == "KD1101") | [.level, .message.text != "", .locations[0].physicalLocation.artifactLocation.uri, .locations[0].physicalLocation.region]' "$TMP/k.sarif")
    [ "$got" = '["warning",true,"dirty",{"startLine":2,"startColumn":1,"endLine":2,"endColumn":4}]' ] &&
        ok "sarif result location and level" || not_ok "sarif result location" "$got"
    jq -e '[.runs[0].results[].level] | all(. == "error" or . == "warning" or . == "note")' "$TMP/k.sarif" >/dev/null &&
        ok "sarif levels are error, warning or note" || not_ok "sarif levels"
fi
tools="$top/out/npm-tools"
if [ ! -f "$tools/node_modules/@microsoft/jest-sarif/package.json" ] && command -v npm >/dev/null 2>&1; then
    npm install --prefix "$tools" --no-audit --no-fund --silent ajv@6 @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null 2>&1
fi
if [ -f "$tools/node_modules/@microsoft/jest-sarif/package.json" ] && command -v node >/dev/null 2>&1; then
    printf 'FROM alpine:3.20\n' | "$KDOCTOR" lint --no-config -f sarif - >"$TMP/empty.sarif"
    run env NODE_PATH="$tools/node_modules" node "$top/tests/cli/sarif-validate.js" "$TMP/k.sarif" "$TMP/empty.sarif"
    [ "$status" -eq 0 ] && ok "sarif validates against the SARIF 2.1.0 schema" ||
        not_ok "sarif validates against the SARIF 2.1.0 schema" "$(head -c 1200 "$TMP/out")"
    sed 's/"2\.1\.0"/"2.2"/' "$TMP/k.sarif" >"$TMP/bad.sarif"
    run env NODE_PATH="$tools/node_modules" node "$top/tests/cli/sarif-validate.js" "$TMP/bad.sarif"
    [ "$status" -ne 0 ] && ok "the schema check rejects a wrong document" || not_ok "the schema check rejects a wrong document"
else
    skip "sarif schema validation" "node, npm or the npm registry is not available"
fi

# checkstyle
run "$KDOCTOR" lint --no-config -f checkstyle dirty clean binary
if need xmllint "checkstyle checks"; then
    xmllint --noout "$TMP/out" 2>"$TMP/xerr" && ok "checkstyle is well-formed XML" || not_ok "checkstyle is well-formed XML" "$(cat "$TMP/xerr")"
    [ "$(xmllint --xpath 'count(/checkstyle/file)' "$TMP/out")" = 3 ] && ok "checkstyle has one <file> per file" || not_ok "checkstyle files"
    got=$(xmllint --xpath 'string(/checkstyle/file[@name="dirty"]/error[@source="kdoctor.KD1101.add-instead-of-copy"]/@line)' "$TMP/out")
    [ "$got" = 2 ] && ok "checkstyle error line and source" || not_ok "checkstyle error line and source" "$got"
    got=$(xmllint --xpath 'string(/checkstyle/file[@name="dirty"]/error[contains(@source, "KD4113")]/@message)' "$TMP/out")
    case "$got" in *"a&b<c>"*) ok "checkstyle escapes & < >" ;; *) not_ok "checkstyle escapes & < >" "$got" ;; esac
    run "$KDOCTOR" lint --no-config -f checkstyle clean
    xmllint --noout "$TMP/out" 2>/dev/null && ok "checkstyle without findings is well-formed" || not_ok "checkstyle without findings"
fi

# gitlab (Code Climate)
run "$KDOCTOR" lint --no-config -f gitlab dirty clean binary
if need jq "gitlab checks"; then
    jq -e 'type == "array" and length > 0 and all(
        (.description | type == "string") and (.check_name | test("^KD[0-9]{4}$")) and
        (.fingerprint | test("^[0-9a-f]{32}$")) and
        (.severity | IN("info", "minor", "major", "critical", "blocker")) and
        (.location.path | type == "string") and (.location.lines.begin | type == "number"))' "$TMP/out" >/dev/null &&
        ok "gitlab issues have description, check_name, fingerprint, severity, location" ||
        not_ok "gitlab fields" "$(head -c 600 "$TMP/out")"
    [ "$(jq '[.[].fingerprint] | unique | length' "$TMP/out")" = "$(jq length "$TMP/out")" ] &&
        ok "gitlab fingerprints are unique" || not_ok "gitlab fingerprints are unique"
    cp "$TMP/out" "$TMP/gl1"
    printf '\n\n' | cat - dirty >shifted
    mv shifted dirty
    run "$KDOCTOR" lint --no-config -f gitlab dirty clean binary
    [ "$(jq -c '[.[].fingerprint] | sort' "$TMP/out")" = "$(jq -c '[.[].fingerprint] | sort' "$TMP/gl1")" ] &&
        ok "gitlab fingerprints survive a line shift" || not_ok "gitlab fingerprints survive a line shift"
fi

# gnu
run "$KDOCTOR" lint --no-config -f gnu clean dirty
expect_grep "gnu: file:line.col-line.col: severity: message [id]" out \
    '^dirty:4\.1-4\.3: warning: ADD of local files does what COPY does .* \[KD1101\]$'
expect_status "an unknown format is a usage error" 2 "$KDOCTOR" lint -f xml clean
