#!/usr/bin/env bash
# The README's setcap line for a lab room: a copy of lab given cap_net_raw,cap_net_admin still runs every lab for
# a normal user (it gives the rights up before entering its own namespaces, whose uid_map it must write) and
# captures on the machine's own interfaces, where a plain copy is refused.
# usage (as root, to set the capabilities and to become nobody): setcap_test.sh LAB
set -uo pipefail
lab=$1
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root, to set capabilities and run as nobody"; exit 0; }
for tool in setcap runuser; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is missing (apt-get install libcap2-bin util-linux)"; exit 0; }
done
id nobody >/dev/null 2>&1 || { echo "SKIP: there is no user nobody"; exit 0; }
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
cp "$lab" "$tmp/lab" && cp "$lab" "$tmp/plain-lab" && setcap cap_net_raw,cap_net_admin=eip "$tmp/lab" ||
  { echo "SKIP: setcap does not work on $tmp (a file system without extended attributes?)"; exit 0; }
as_nobody() { (cd "$tmp" && runuser -u nobody -- env -u XDG_RUNTIME_DIR timeout 30 "$@"); }

for lab_name in tcp-echo udp-echo; do
  out=$(as_nobody "$tmp/lab" "$lab_name" --format json 2>&1); rc=$?
  [ $rc -eq 0 ] || fail "the setcap copy's $lab_name as nobody exited $rc: $(tail -n 2 <<<"$out")"
  grep -q '"type":"summary"' <<<"$out" || fail "the setcap copy's $lab_name as nobody printed no summary"
done
out=$(as_nobody "$tmp/lab" capture -i lo --duration 1 2>&1); rc=$?
[ $rc -eq 0 ] || fail "the setcap copy cannot capture on lo as nobody (exit $rc): $out"
out=$(as_nobody "$tmp/plain-lab" capture -i lo --duration 1 2>&1); rc=$?
[ $rc -eq 3 ] || fail "a plain copy captured on lo as nobody (exit $rc), so this test shows nothing: $out"
grep -q "setcap cap_net_raw,cap_net_admin=eip" <<<"$out" || fail "the plain copy's refusal does not name the setcap line: $out"

[ "$failures" -eq 0 ] && echo "PASS: a setcap copy runs the labs and captures as nobody" || { echo "$failures failure(s)"; exit 1; }
