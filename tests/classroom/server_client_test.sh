#!/usr/bin/env bash
# lab server and lab client of one transport against each other and against the peers a class uses: the classic
# Python scripts (classroom/*.py), nc and socat. Facts are checked in the JSON lines (--format json).
# usage: server_client_test.sh tcp|udp LAB CLASSROOM_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/netns.sh" "$@"
transport=$1 lab=$2 scripts=$3
port=$([ "$transport" = tcp ] && echo 65432 || echo 5005)
tmp=$(mktemp -d) && trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
need() { command -v "$1" >/dev/null || { echo "SKIP: $1 is not installed (./setup.sh test installs it)"; exit 0; }; }
need python3; need nc; need socat

# Waits (at most 5 s) for a file to contain a pattern: a server's "listen" line, a summary.
wait_for() {
  for _ in $(seq 50); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
# The value of `field` in the JSON line of `file` that has "type": type (and "event": event, if given).
json() {  # json FILE TYPE FIELD [EVENT]   (FILE may be - for standard input)
  python3 -c '
import json, sys
path, kind, field = sys.argv[1:4]
event = sys.argv[4] if len(sys.argv) > 4 else None
for line in (sys.stdin if path == "-" else open(path)):
    o = json.loads(line)
    if o.get("type") == kind and (event is None or o.get("event") == event):
        print(o[field]); break
' "$@"
}
count_events() { grep -c "\"event\":\"$2\"" "$1"; }
expect() {  # expect WHAT ACTUAL WANTED
  [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

start_lab_server() {
  "$lab" server "$transport" --format json >"$tmp/server.json" 2>"$tmp/server.err" &
  server_pid=$!
  wait_for "$tmp/server.json" '"event":"listen"' || fail "lab server did not start: $(cat "$tmp/server.err")"
}
stop_lab_server() {  # Ctrl-C: the summary line, exit 0
  kill -INT "$server_pid"
  timeout 10 tail --pid="$server_pid" -f /dev/null
  wait "$server_pid"; expect "lab server's exit code after Ctrl-C" "$?" 0
  expect "the summary's ending" "$(json "$tmp/server.json" summary ending)" "stopped by Ctrl-C"
}

# 1. lab server, and every kind of client.
start_lab_server
out=$(timeout 10 python3 "$scripts/${transport}_client.py" 127.0.0.1 "$port" Hello?)
case "$out" in "Received b'Hello?'"*) ;; *) fail "the Python client got: $out" ;; esac
out=$(timeout 10 "$lab" client "$transport" -m Hello? -m again --format json)
expect "lab client's exit code" "$?" 0
expect "lab client's echoes" "$(echo "$out" | json - summary echoes)" 2
out=$(printf 'typed\n\nlines\n' | timeout 10 "$lab" client "$transport" --format json)
expect "lab client reading stdin: messages (the empty line skipped)" "$(echo "$out" | json - summary messages)" 2
expect "lab client reading stdin: bytes" "$(echo "$out" | json - summary bytes)" 10
if [ "$transport" = tcp ]; then
  out=$(printf 'via nc' | timeout 10 nc -N 127.0.0.1 "$port")
  expect "nc's echo" "$out" "via nc"
  out=$(printf 'via socat' | timeout 10 socat -t 2 - TCP:127.0.0.1:"$port")
  expect "socat's echo" "$out" "via socat"
else
  out=$(printf 'via nc' | timeout 10 nc -u -w 1 127.0.0.1 "$port")
  expect "nc -u's echo" "$out" "via nc"
  out=$(printf 'via socat' | timeout 10 socat -t 1 - UDP:127.0.0.1:"$port")
  expect "socat's echo" "$out" "via socat"
fi
stop_lab_server
# What the server saw: the Python client (6 bytes), lab client (6 + 5), stdin (5 + 5), nc (6), socat (9).
expect "bytes the server received" "$(json "$tmp/server.json" summary bytes)" 42
expect "bytes it sent back" "$(json "$tmp/server.json" summary echoed_bytes)" 42
expect "clients it served" "$(json "$tmp/server.json" summary clients)" 5
if [ "$transport" = tcp ]; then
  expect "accept events" "$(count_events "$tmp/server.json" accept)" 5
  expect "the kernel's state at accept" "$(json "$tmp/server.json" event kernel_state accept)" ESTABLISHED
  expect "the kernel's state when the client's FIN came" "$(json "$tmp/server.json" event kernel_state eof)" CLOSE-WAIT
fi

# 2. lab client against the classic Python server.
if [ "$transport" = tcp ]; then
  python3 "$scripts/tcp_server.py" 127.0.0.1 "$port" >"$tmp/py.out" 2>&1 &
else
  python3 "$scripts/udp_server.py" 127.0.0.1 "$port" 1 >"$tmp/py.out" 2>&1 &
fi
py_pid=$!
wait_for "$tmp/py.out" "$([ "$transport" = tcp ] && echo listening || echo bound)" || fail "the Python server did not start"
out=$(timeout 10 "$lab" client "$transport" -m Hello? --format json)
expect "lab client against the Python server: exit code" "$?" 0
expect "its echo's bytes" "$(echo "$out" | json - summary echoed_bytes)" 6
timeout 10 tail --pid="$py_pid" -f /dev/null
wait "$py_pid"; expect "the Python server's exit code (it serves one client)" "$?" 0

# 3. Text: the summary line, and bytes from the network escaped (an ANSI escape typed by a client).
start_lab_server
printf 'bell\033[31m\n' | timeout 10 "$lab" client "$transport" >"$tmp/client.txt"
grep -q 'lab client: 1 message sent (9 bytes), 1 echo back; done' "$tmp/client.txt" ||
  fail "the client's summary line: $(tail -1 "$tmp/client.txt")"
grep -q $'\033' "$tmp/client.txt" && fail "a raw escape byte reached the client's terminal output"
grep -q 'bell\\x1b\[31m' "$tmp/client.txt" || fail "the escape byte is not shown escaped: $(cat "$tmp/client.txt")"
stop_lab_server

[ "$failures" -eq 0 ] && echo "PASS: $transport server and client"
exit $((failures > 0))
