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
