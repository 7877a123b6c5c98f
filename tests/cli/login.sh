#!/bin/sh
# kdoctor login's command line (the exchanges with a registry are in
# tests/registry/suite.sh).
. "$(dirname "$0")/../lib.sh"

expect_status "help login" 0 "$KDOCTOR" help login
expect_grep "help login shows usage" out '^Usage: kdoctor login'
expect_grep "help lists login" out 'password-stdin'
expect_status "login: unknown option exits 2" 2 "$KDOCTOR" login --frob
expect_grep "login: unknown option is named" err "kdoctor login: unknown option '--frob'"
expect_status "login: -p is refused" 2 "$KDOCTOR" login -p secret localhost:5000
expect_grep "login: -p refusal says why" err "would show in ps"
if grep -q secret "$TMP/err"; then not_ok "login: -p refusal does not repeat the password"; else
    ok "login: -p refusal does not repeat the password"
fi
expect_status "login: two registries exit 2" 2 "$KDOCTOR" login a.example b.example
# setsid: no controlling terminal to prompt on, whatever runs the tests
expect_status "login: no terminal and no -u exits 2" 2 setsid "$KDOCTOR" login localhost:5000 </dev/null
expect_grep "login: no terminal: says to use -u" err "give -u USER"
printf '' >"$TMP/empty"
expect_status "login: empty --password-stdin exits 2" 2 "$KDOCTOR" login -u a --password-stdin localhost:5000 <"$TMP/empty"
expect_grep "login: empty password is named" err "no password on standard input"
export DOCKER_CONFIG="$TMP/dc"
printf 'pw\n' >"$TMP/pw"
expect_status "login --no-verify stores without asking" 0 "$KDOCTOR" login --no-verify -u me --password-stdin registry.invalid <"$TMP/pw"
if grep -q '"registry.invalid"' "$DOCKER_CONFIG/config.json" && [ "$(stat -c %a "$DOCKER_CONFIG/config.json")" = 600 ]; then
    ok "login --no-verify wrote a 0600 config.json"
else not_ok "login --no-verify wrote a 0600 config.json" "$(ls -l "$DOCKER_CONFIG")"; fi
expect_status "login docker.io aliases" 0 "$KDOCTOR" login --no-verify -u me --password-stdin https://index.docker.io/v1/ <"$TMP/pw"
if grep -q '"https://index.docker.io/v1/"' "$DOCKER_CONFIG/config.json"; then ok "login: docker.io is stored under Docker's key"; else
    not_ok "login: docker.io is stored under Docker's key" "$(cat "$DOCKER_CONFIG/config.json")"
fi
