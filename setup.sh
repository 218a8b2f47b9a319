#!/usr/bin/env bash
# One command for a fresh Debian 12 / Ubuntu 24.04 machine: install what is missing, build, then
#   ./setup.sh          run `lab tcp-echo --annotate`
#   ./setup.sh test     run the whole test suite
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-run}
case "$mode" in
  run|test|build) ;;
  *) echo "usage: ./setup.sh [run|test|build]" >&2; exit 2 ;;
esac

# Build tools and libraries; tshark and tcpdump are the tests' oracles (Wireshark's and tcpdump's view).
packages=(g++ cmake ninja-build pkg-config libpcap-dev libasio-dev libcli11-dev catch2 libfmt-dev
          nlohmann-json3-dev)
[ "$mode" = test ] && packages+=(tshark tcpdump)
# The fuzz test needs clang and its fuzzer runtime, libclang-rt-N-dev for clang's major version N (14 on
# Debian 12, 18 on Ubuntu 24.04). The runtime is added only when apt knows it (before the first apt-get
# update, only for those two releases): without it the fuzz test reports SKIPPED; setup never fails for it.
if [ "$mode" = test ]; then
  packages+=(clang)
  runtime=
  if apt-cache policy clang 2>/dev/null | grep 'Candidate: [0-9]' >/dev/null; then
    clang_major=$(clang++ -dumpversion 2>/dev/null ||
                  apt-cache policy clang | sed -n 's/^ *Candidate: *\([0-9]*:\)\{0,1\}\([0-9][0-9]*\).*/\2/p') || true
    clang_major=${clang_major%%.*}
    apt-cache show "libclang-rt-$clang_major-dev" >/dev/null 2>&1 && runtime=libclang-rt-$clang_major-dev
  elif [ -r /etc/os-release ]; then
    case "$(. /etc/os-release && echo "$ID $VERSION_ID")" in
      "debian 12") runtime=libclang-rt-14-dev ;;
      "ubuntu 24.04") runtime=libclang-rt-18-dev ;;
    esac
  fi
  [ -n "$runtime" ] && packages+=("$runtime")
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing: ${missing[*]}"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
      echo "setup.sh: these packages are missing and sudo is not available: ${missing[*]}" >&2
      echo "setup.sh: install them as root (apt-get install ${missing[*]}) and run ./setup.sh again" >&2
      exit 1
    fi
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "==> building in ./build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)"

case "$mode" in
  run)
    echo "==> ./build/lab tcp-echo --annotate"
    exec ./build/lab tcp-echo --annotate
    ;;
  test)
    cd build
    exec ctest --output-on-failure -j "$(nproc)" --timeout 300
    ;;
esac
