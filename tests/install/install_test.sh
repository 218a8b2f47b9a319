#!/usr/bin/env bash
# `cmake --install` into a scratch prefix, and `cpack -G DEB` into a scratch folder: what each puts where, that
# the package's dependencies are satisfiable here (apt-get --simulate) and that lab tcp-echo --annotate runs from
# the unpacked package. Installing the .deb for real is tests/fresh/run.sh's job, on a throw-away system.
# usage: install_test.sh BUILD_DIR VERSION
set -uo pipefail
build=$1 version=$2
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
files=(bin/lab share/man/man1/lab.1.gz share/bash-completion/completions/lab share/doc/lab/LICENSE
       share/doc/lab/README.md share/lab/classroom/tcp_server.py share/lab/classroom/udp_client.py)

cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log" 2>&1 || fail "cmake --install: $(tail -n 3 "$tmp/install.log")"
for f in "${files[@]}"; do [ -s "$tmp/prefix/$f" ] || fail "cmake --install put no $f in the prefix"; done
[ "$("$tmp/prefix/bin/lab" --version 2>&1)" = "lab $version" ] || fail "the installed lab is not version $version"

for tool in cpack dpkg-deb dpkg-shlibdeps file; do
  if ! command -v "$tool" >/dev/null; then
    [ "$failures" -eq 0 ] || { echo "$failures failure(s) (and $tool is missing, so no .deb was tried)"; exit 1; }
    echo "SKIP: $tool is missing (apt-get install dpkg-dev file), so no .deb was tried; cmake --install passed"; exit 0
  fi
done
if ! (cd "$build" && cpack -G DEB -B "$tmp/package") >"$tmp/cpack.log" 2>&1; then
  fail "cpack -G DEB: $(tail -n 5 "$tmp/cpack.log")"
else
  deb=$(ls "$tmp"/package/lab_"$version"_*.deb 2>/dev/null | head -n 1)
  [ -n "$deb" ] || fail "cpack made no lab_${version}_*.deb: $(ls "$tmp/package")"
fi
if [ -n "${deb:-}" ]; then
  [ "$(dpkg-deb -f "$deb" Package)" = lab ] || fail "the package is not called lab"
  [ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "the package's version is not $version"
  depends=$(dpkg-deb -f "$deb" Depends)
  grep -q "libpcap0.8" <<<"$depends" || fail "Depends lacks libpcap: $depends"
  contents=$(dpkg-deb -c "$deb")
  for f in "${files[@]}"; do grep -q " \./usr/$f\$" <<<"$contents" || fail "the package has no /usr/$f"; done
  if command -v apt-get >/dev/null; then
    apt-get install --simulate --no-install-recommends "$deb" >"$tmp/apt.log" 2>&1 || fail "apt-get cannot install it here: $(tail -n 3 "$tmp/apt.log")"
    grep -q "^Inst lab " "$tmp/apt.log" || fail "apt-get --simulate would not install lab: $(tail -n 3 "$tmp/apt.log")"
  fi
  dpkg-deb -x "$deb" "$tmp/root" || fail "dpkg-deb cannot unpack it"
  out=$(cd "$tmp" && timeout 60 "$tmp/root/usr/bin/lab" tcp-echo --annotate 2>&1); rc=$?
  if [ $rc -eq 3 ]; then  # the environment refuses the lab's namespaces (as every lab test reports)
    skipped="the unpacked lab cannot make its namespaces here: $out"
  else
    [ $rc -eq 0 ] || fail "the packaged lab tcp-echo --annotate exited $rc: $(tail -n 3 <<<"$out")"
    grep -q "Handshake 1/3" <<<"$out" || fail "the packaged lab tcp-echo --annotate showed no handshake"
  fi
fi

[ "$failures" -eq 0 ] && [ -n "${skipped:-}" ] && { echo "SKIP: $skipped"; exit 0; }
[ "$failures" -eq 0 ] && echo "PASS: cmake --install and the .deb" || { echo "$failures failure(s)"; exit 1; }
