#!/usr/bin/env bash
# Bad situations for lab server and lab client: each is one line on stderr and a non-zero exit, never a hang.
# usage: server_client_errors_test.sh LAB
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/netns.sh" "$@"
lab=$1
tmp=$(mktemp -d) && trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect_error WHAT EXIT_CODE PATTERN -- COMMAND...: the command fails with that code and one stderr line matching.
expect_error() {
  local what=$1 code=$2 pattern=$3; shift 4
  timeout 20 "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  [ "$rc" -eq "$code" ] || fail "$what: exit code $rc, expected $code"
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "$what: stderr is not one line: $(cat "$tmp/err")"
  grep -q -- "$pattern" "$tmp/err" || fail "$what: stderr says: $(cat "$tmp/err")"
}

expect_error "nobody listens" 1 "connection refused: nothing listens on 127.0.0.1:65432" -- "$lab" client tcp -m hi
expect_error "an unknown host" 1 'cannot find the address of "no.such.host.invalid"' -- \
  "$lab" client tcp --host no.such.host.invalid -m hi
expect_error "an address not on this machine" 1 "is not an address of this machine" -- \
  "$lab" server tcp --bind 192.0.2.1
expect_error "a bad protocol" 2 "udp" -- "$lab" server sctp
"$lab" server tcp >/dev/null 2>&1 & first=$!
for _ in $(seq 50); do "$lab" client tcp -m probe >/dev/null 2>&1 && break; sleep 0.1; done
expect_error "the port in use" 1 "TCP port 65432 is already in use on 127.0.0.1" -- "$lab" server tcp
kill -INT "$first"; wait "$first"
# UDP: a lost reply is counted and said; the client does not hang.
expect_error "no UDP server" 1 "1 of 1 reply never came" -- "$lab" client udp -m hi --timeout 300

[ "$failures" -eq 0 ] && echo "PASS: errors"
exit $((failures > 0))
