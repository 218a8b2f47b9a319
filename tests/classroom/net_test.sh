#!/usr/bin/env bash
# lab net: the standing classroom network, as a class uses it. Up, status, the seed scripts on the two hosts with a
# third process watching the wire (the ARP lookup, the handshake from .164 to .113:65432, Hello? at seq 1 next 7,
# the teardown, the kernels' states beside the capture's), set, exec's exit codes, then down and a SIGKILL of the
# holder, each leaving no process and no file behind. Run as root and, when root, as nobody too.
# usage: net_test.sh LAB CLASSROOM_DIR
set -uo pipefail
lab=$1 scripts=$2
here=$(cd "$(dirname "$0")" && pwd)
failures=0
fail() { echo "FAIL ($(id -un)): $*"; failures=$((failures + 1)); }
expect() { [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed (./setup.sh test installs it)"; exit 0; }

# Waits (at most 10 s) for a file to contain a pattern.
wait_for() {
  for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
# A zombie has ended (kill -0 would still succeed on it until its new parent reaps it).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  [[ ! $stat =~ ^[0-9]+\ \(.*\)\ [ZX]\  ]]
}

scenario() {
  # A runtime directory of this test's own: the user's real network, if one runs, is never touched.
  export XDG_RUNTIME_DIR=$1
  local tmp=$1/out state=$1/lab
  mkdir -p "$tmp"

  local links_before; links_before=$(ls /sys/class/net)
  if ! timeout 20 "$lab" net up >"$tmp/up.out" 2>&1; then
    if grep -q "namespace" "$tmp/up.out" && [ "$(id -u)" -ne 0 ]; then
      echo "SKIP ($(id -un)): unprivileged namespaces are refused here: $(cat "$tmp/up.out")"; return 0
    fi
    fail "lab net up: $(cat "$tmp/up.out")"; return 0
  fi
  timeout 20 "$lab" net up >"$tmp/up2.out" 2>&1
  expect "a second lab net up's exit code" "$?" 3
  grep -q "already running" "$tmp/up2.out" || fail "a second lab net up said: $(cat "$tmp/up2.out")"

  timeout 10 "$lab" net status --format json >"$tmp/status.json"
  expect "lab net status's exit code" "$?" 0
  python3 - "$tmp/status.json" <<'PY' || fail "lab net status --format json: $(cat "$tmp/status.json")"
import json, sys
s = json.load(open(sys.argv[1]))
hosts = {h["name"]: h for h in s["hosts"]}
assert s["running"] is True and s["prefix"] == 24 and s["mtu"] == 1500 and s["faults"] == "", s
assert hosts["server"]["ip"] == "192.168.219.113" and hosts["client"]["ip"] == "192.168.219.164", hosts
assert hosts["server"]["mac"] != hosts["client"]["mac"], hosts
PY
  local holder
  holder=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["holder_pid"])' "$tmp/status.json")

  # A third process watches while the seed scripts run unchanged on the two hosts, with their own addresses.
  timeout 60 "$lab" net watch --format json >"$tmp/watch.json" 2>"$tmp/watch.err" &
  local watch=$!
  wait_for "$tmp/watch.err" "Watching" || fail "lab net watch did not start: $(cat "$tmp/watch.err")"
  timeout 20 "$lab" net exec server -- python3 "$scripts/tcp_server.py" >"$tmp/server.out" 2>&1 &
  local server=$!
  wait_for "$tmp/server.out" "listening on 192.168.219.113:65432" || fail "the seed server: $(cat "$tmp/server.out")"
  local out
  out=$(timeout 20 "$lab" net exec client -- python3 "$scripts/tcp_client.py" 2>&1)
  expect "the seed client's output" "$out" "Received b'Hello?'"
  timeout 10 tail --pid="$server" -f /dev/null
  wait "$server"; expect "the seed server's exit code through lab net exec" "$?" 0
  grep -q "connected by 192.168.219.164:" "$tmp/server.out" || fail "the server saw: $(cat "$tmp/server.out")"
  # The last ACK crosses the wire right after the client's close: give the watcher its turn, then Ctrl-C.
  wait_for "$tmp/watch.json" '"flags":\["ACK","FIN"\]' && sleep 1
  kill -INT "$watch"; wait "$watch"; expect "lab net watch's exit code after Ctrl-C" "$?" 0
  python3 - "$tmp/watch.json" <<'PY' || fail "lab net watch's JSON does not show the seed exercise"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
packets = [o for o in lines if o["type"] == "packet"]
summary = [o for o in lines if o["type"] == "summary"]
assert len(summary) == 1, "one summary"
arp = [p for p in packets if p["proto"] == "arp"]
tcp = [p for p in packets if p["proto"] == "tcp"]
request = next(p for p in arp if p["op"] == "request")
assert request["sender_ip"] == "192.168.219.164" and request["target_ip"] == "192.168.219.113", request
assert request["dst_mac"] == "ff:ff:ff:ff:ff:ff", request
reply = next(p for p in arp if p["op"] == "reply")
assert reply["answers"] == request["index"] and reply["sender_ip"] == "192.168.219.113", reply
syn = tcp[0]
assert syn["flags"] == ["SYN"] and syn["src"].startswith("192.168.219.164:"), syn
assert syn["dst"] == "192.168.219.113:65432" and syn["index"] > reply["index"], syn
assert syn["src_mac"] == request["sender_mac"] and syn["dst_mac"] == reply["sender_mac"], "the SYN goes to the MAC ARP gave"
hello = next(p for p in tcp if p["len"] == 6 and p["from"] == "client")
assert hello["seq"] == 1 and hello["next_seq"] == 7 and "PSH" in hello["flags"], hello
fins = [p for p in tcp if "FIN" in p["flags"]]
assert [f["from"] for f in fins] == ["client", "server"], fins
# The kernels' own word, where the wire read it, agrees with the states the capture shows.
agree = 0
for p in tcp:
    for side in ("client", "server"):
        k = p["kernel_states"][side]
        if k is not None:
            assert k == p["states"][side], (p["index"], side, k, p["states"],
                [(q["index"], q["from"], q["flags"], q["states"], q["kernel_states"]) for q in tcp])
            agree += 1
assert agree >= len(tcp), f"only {agree} kernel readings for {len(tcp)} packets"
conversation = summary[0]["conversations"][0]
assert conversation["ended"] == "closed" and conversation["closed_first"] == "client", conversation
assert summary[0]["watch"] == {"missed": 0, "network_went_down": False}, summary[0]["watch"]
PY

  # The classic UDP scripts too.
  timeout 20 "$lab" net exec server -- python3 "$scripts/udp_server.py" >"$tmp/udp_server.out" 2>&1 &
  server=$!
  wait_for "$tmp/udp_server.out" "192.168.219.113:5005" || fail "the UDP seed server: $(cat "$tmp/udp_server.out")"
  out=$(timeout 20 "$lab" net exec client -- python3 "$scripts/udp_client.py" 2>&1)
  case "$out" in "Received b'Hello?'"*) ;; *) fail "the UDP seed client got: $out" ;; esac
  kill "$server" 2>/dev/null; wait "$server" 2>/dev/null

  # exec's exit codes: the program's own, 127 for a program that is not there.
  timeout 10 "$lab" net exec client -- sh -c 'exit 7'
  expect "lab net exec's exit code for exit 7" "$?" 7
  timeout 10 "$lab" net exec client -- no-such-program-here 2>"$tmp/missing.err"
  expect "lab net exec's exit code for a missing program" "$?" 127
  expect "LAB_HOST on the server host" "$(timeout 10 "$lab" net exec server -- sh -c 'echo $LAB_HOST')" server

  # Faults changed while it runs, and shown by status.
  timeout 10 "$lab" net set --delay 20 >/dev/null; expect "lab net set's exit code" "$?" 0
  timeout 10 "$lab" net status | grep -q "faults: --delay 20" || fail "status does not show the new faults"
  out=$(timeout 20 "$lab" net exec client -- ping -c 1 -W 5 192.168.219.113 2>&1)
  if command -v ping >/dev/null 2>&1 || [ -n "$out" ]; then
    rtt=$(echo "$out" | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p')
    [ -n "$rtt" ] && python3 -c "import sys; sys.exit(0 if float('$rtt') >= 39 else 1)" ||
      [ -z "$rtt" ] || fail "a ping across a 20 ms wire took $rtt ms (two crossings: at least 40)"
  fi

  # Ctrl-C at the terminal reaches lab net exec and its program (one process group): the program ends, exec
  # reports it as the shell would (130), and the network stays up.
  setsid timeout 30 "$lab" net exec server -- sleep 301 &
  local ctrl_c=$!
  for _ in $(seq 50); do timeout 5 "$lab" net status | grep -q "sleep 301" && break; sleep 0.1; done
  timeout 5 "$lab" net status | grep -q "sleep 301" || fail "status does not list the sleep 301 on the server host"
  kill -INT -- "-$ctrl_c"
  wait "$ctrl_c"; expect "lab net exec's exit code after Ctrl-C" "$?" 130
  pgrep -f "^sleep 301$" -u "$(id -u)" >/dev/null && fail "Ctrl-C of lab net exec left its sleep running"
  timeout 10 "$lab" net status >/dev/null; expect "status's exit code after an exec's Ctrl-C" "$?" 0

  # down ends every program on the hosts and leaves nothing behind.
  timeout 30 "$lab" net exec server -- sleep 300 &
  local sleeper=$!
  for _ in $(seq 50); do timeout 5 "$lab" net status | grep -q "sleep 300" && break; sleep 0.1; done
  timeout 5 "$lab" net status | grep -q "sleep 300" || fail "status does not list the sleep on the server host"
  timeout 20 "$lab" net down >/dev/null; expect "lab net down's exit code" "$?" 0
  timeout 10 tail --pid="$sleeper" -f /dev/null
  alive "$sleeper" && fail "the lab net exec of sleep still runs after down"
  alive "$holder" && fail "the holder $holder still runs after down"
  pgrep -f "^sleep 300$" -u "$(id -u)" >/dev/null && fail "a sleep 300 is left after down"
  timeout 10 "$lab" net status >/dev/null; expect "status's exit code with none running" "$?" 1
  [ -e "$state/net.state" ] || [ -e "$state/net.sock" ] && fail "down left $(ls "$state")"
  [ "$(ls /sys/class/net)" = "$links_before" ] || fail "this namespace's interfaces changed: $(ls /sys/class/net)"
  timeout 10 "$lab" net exec server -- true 2>"$tmp/none.err"
  expect "exec's exit code with none running" "$?" 3
  grep -q "no classroom network is running" "$tmp/none.err" || fail "exec with none running said: $(cat "$tmp/none.err")"

  # SIGKILL of the holder: nothing survives it either.
  timeout 20 "$lab" net up >/dev/null || { fail "the second lab net up failed"; return 0; }
  holder=$(timeout 10 "$lab" net status --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["holder_pid"])')
  timeout 30 "$lab" net exec client -- sleep 300 &
  sleeper=$!
  for _ in $(seq 50); do timeout 5 "$lab" net status | grep -q "sleep 300" && break; sleep 0.1; done
  kill -KILL "$holder"
  timeout 10 tail --pid="$sleeper" -f /dev/null
  wait "$sleeper"; expect "exec's exit code when its host is killed" "$?" 137
  for _ in $(seq 50); do alive "$holder" || break; sleep 0.1; done
  alive "$holder" && fail "the holder survived SIGKILL"
  timeout 10 "$lab" net status >/dev/null; expect "status's exit code after the holder was killed" "$?" 1
  [ -e "$state/net.state" ] || [ -e "$state/net.sock" ] && fail "a killed holder left $(ls "$state") behind status"
  timeout 20 "$lab" net up >/dev/null || fail "lab net up after a killed holder failed"
  timeout 20 "$lab" net down >/dev/null
  return 0
}

if [ "${1:-}" = "--as-this-user" ]; then  # the second run, as nobody: only the scenario
  lab=$2 scripts=$3
  scenario "$4"
  exit $((failures > 0))
fi

dir=$(mktemp -d) && trap 'XDG_RUNTIME_DIR=$dir timeout 20 "$lab" net down >/dev/null 2>&1; rm -rf "$dir"' EXIT
scenario "$dir"
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null && id nobody >/dev/null 2>&1; then
  user_dir=$(mktemp -d) && chown nobody "$user_dir" && chmod 700 "$user_dir"
  if runuser -u nobody -- test -x "$lab" -a -r "$scripts/tcp_server.py"; then
    runuser -u nobody -- bash "$0" --as-this-user "$lab" "$scripts" "$user_dir" || failures=$((failures + 1))
  else
    echo "SKIP (nobody): nobody cannot reach $lab and $scripts from here"
  fi
  runuser -u nobody -- env XDG_RUNTIME_DIR="$user_dir" timeout 20 "$lab" net down >/dev/null 2>&1
  rm -rf "$user_dir"
fi
[ "$failures" -eq 0 ] && echo "PASS" || { echo "$failures failure(s)"; exit 1; }
