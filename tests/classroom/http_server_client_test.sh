#!/usr/bin/env bash
# lab server http against curl and against lab client http, in a private network namespace (port 8080 is then this
# test's alone, and no traffic leaves it). Facts are checked in the JSON lines (--format json) and curl's output.
# usage: http_server_client_test.sh LAB
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/netns.sh" "$@"
lab=$1
tmp=$(mktemp -d) && trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
need() { command -v "$1" >/dev/null || { echo "SKIP: $1 is not installed (./setup.sh test installs it)"; exit 0; }; }
need curl; need python3

# Waits (at most 5 s) for a file to contain a pattern.
wait_for() {
  for _ in $(seq 50); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
# Each JSON line of FILE (- for standard input) whose "type" is TYPE: the value of FIELD, one per line.
json_all() {  # json_all FILE TYPE FIELD
  python3 -c '
import json, sys
path, kind, field = sys.argv[1:4]
for line in (sys.stdin if path == "-" else open(path)):
    o = json.loads(line)
    if o.get("type") == kind: print(json.dumps(o[field]) if isinstance(o[field], (dict, bool)) else o[field])
' "$@"
}
expect() {  # expect WHAT ACTUAL WANTED
  [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

"$lab" server http --format json >"$tmp/server.json" 2>"$tmp/server.err" &
server_pid=$!
wait_for "$tmp/server.json" '"event":"listen"' || fail "lab server http did not start: $(cat "$tmp/server.err")"

# 1. curl, the student's usual client.
out=$(timeout 10 curl -s -i http://127.0.0.1:8080/ping | tr -d '\r')
expect "curl's status line" "$(head -1 <<<"$out")" "HTTP/1.1 200 OK"
grep -qx 'Content-Type: application/json' <<<"$out" || fail "no JSON Content-Type in: $out"
grep -qx 'Content-Length: 14' <<<"$out" || fail "no Content-Length: 14 in: $out"
expect "curl's body" "$(tail -1 <<<"$out")" '{"pong":true}'
expect "curl on another path" "$(timeout 10 curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/other)" 404
expect "curl with POST" "$(timeout 10 curl -s -o /dev/null -w '%{http_code}' -d x http://127.0.0.1:8080/ping)" 405
# Two URLs in one curl: it reuses the connection (keep-alive), so the server accepts one connection for both.
before=$(grep -c '"event":"accept"' "$tmp/server.json")
timeout 10 curl -s -o /dev/null -o /dev/null http://127.0.0.1:8080/ping http://127.0.0.1:8080/ping
expect "connections for curl's two keep-alive requests" "$(($(grep -c '"event":"accept"' "$tmp/server.json") - before))" 1

# 2. lab client http, with and without keep-alive.
out=$(timeout 10 "$lab" client http http://127.0.0.1:8080/ping --requests 3 --keep-alive --format json)
expect "lab client http --keep-alive's exit code" "$?" 0
expect "its statuses" "$(json_all - response status <<<"$out" | tr '\n' ' ')" "200 200 200 "
expect "its connections" "$(json_all - summary connections <<<"$out")" 1
out=$(timeout 10 "$lab" client http http://127.0.0.1:8080/ping -n 2 --format json)
expect "lab client http's exit code" "$?" 0
expect "connections without keep-alive" "$(json_all - summary connections <<<"$out")" 2
expect "the client saw each server's FIN (eof)" "$(grep -c '"event":"eof"' <<<"$out")" 2
out=$(timeout 10 "$lab" client http http://127.0.0.1:8080/missing --format json)
expect "a 404 is an answer, not a failure" "$?" 0
expect "the 404" "$(json_all - response status <<<"$out")" 404

# 3. What lab client http refuses, in one line and exit 2; and nobody listening, exit 1.
for url in https://127.0.0.1/ping ftp://x/ http://127.0.0.1:99999/; do
  err=$(timeout 10 "$lab" client http "$url" 2>&1 >/dev/null); code=$?
  expect "exit code for $url" "$code" 2
  expect "lines of the error for $url" "$(wc -l <<<"$err")" 1
done
err=$(timeout 10 "$lab" client http http://127.0.0.1:8081/ping 2>&1 >/dev/null); code=$?
expect "exit code with nobody listening" "$code" 1
case "$err" in *"connection refused"*) ;; *) fail "nobody listening said: $err" ;; esac

# 4. Ctrl-C: the summary line, exit 0, each request answered logged with its status.
kill -INT "$server_pid"
timeout 10 tail --pid="$server_pid" -f /dev/null
wait "$server_pid"; expect "lab server http's exit code after Ctrl-C" "$?" 0
expect "the summary's ending" "$(json_all "$tmp/server.json" summary ending)" "stopped by Ctrl-C"
expect "requests the server answered" "$(json_all "$tmp/server.json" summary requests)" 11
expect "the statuses it logged" "$(json_all "$tmp/server.json" request status | sort | uniq -c | awk '{print $2 "x" $1}' | tr '\n' ' ')" \
  "200x8 404x2 405x1 "

# 5. A port in use is one line, exit non-zero.
"$lab" server http --port 8090 --format json >"$tmp/first.json" 2>&1 &
wait_for "$tmp/first.json" '"event":"listen"' || fail "the first server on 8090 did not start"
err=$(timeout 10 "$lab" server http --port 8090 2>&1); code=$?
[ "$code" -ne 0 ] || fail "a second server on a port in use exited 0"
expect "lines of the port-in-use error" "$(wc -l <<<"$err")" 1

# 6. curl against lab server http, captured and explained by lab capture on the loopback: two requests on one
# connection (curl keeps it alive), each response answering its request, the client closing first with both answered.
"$lab" server http --format json >"$tmp/server2.json" 2>"$tmp/server2.err" &
server_pid=$!
wait_for "$tmp/server2.json" '"event":"listen"' || fail "lab server http did not start again: $(cat "$tmp/server2.err")"
"$lab" capture -i lo --format json >"$tmp/capture.json" 2>"$tmp/capture.err" &
capture_pid=$!
sleep 1  # the capture opens its socket
timeout 10 curl -s -o /dev/null -o /dev/null http://127.0.0.1:8080/ping http://127.0.0.1:8080/ping
sleep 0.3
kill -INT "$capture_pid"; wait "$capture_pid"; expect "lab capture's exit code after Ctrl-C" "$?" 0
kill -INT "$server_pid"; wait "$server_pid"
facts=$(python3 -c '
import json, sys
packets = [o for o in map(json.loads, open(sys.argv[1])) if o.get("type") == "packet"]
seen = []
for p in packets:
    h = p.get("http")
    if not h: continue
    for m in h["messages"]:
        if m["type"] == "request": seen.append("%s %s #%d %s" % (m["method"], m["target"], p["index"], p["coloring_rule"]))
        else: seen.append("%d for #%d %s %s" % (m["status"], m["answers_packet"], m["body"], m["body_ends_here"]))
    if h["close"]: seen.append("FIN from %s: %d of %d answered" % (p["from"], h["close"]["responses"], h["close"]["requests"]))
print("; ".join(seen))
' "$tmp/capture.json")
case "$facts" in
  "GET /ping #4 HTTP; 200 for #4 content-length True; GET /ping #"*" HTTP; 200 for #"*" content-length True; FIN from client: 2 of 2 answered"*) ;;
  *) fail "the capture of curl's two requests said: $facts ($(cat "$tmp/capture.err"))" ;;
esac

[ "$failures" -eq 0 ] && echo "all checks passed"
exit $((failures > 0))
