#!/usr/bin/env bash
# One command for a fresh Debian 12 / 13 or Ubuntu 24.04 machine: install what is missing, build, then
#   ./setup.sh          build only the lab and run `lab tcp-echo --annotate` (a few minutes from nothing)
#   ./setup.sh test     build everything and run the whole test suite, then list what was skipped and why
#   ./setup.sh build    build everything, run nothing
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-run}
case "$mode" in
  run|test|build) ;;
  *) echo "usage: ./setup.sh [run|test|build]" >&2; exit 2 ;;
esac

# Build tools and libraries; tshark and tcpdump are the tests' oracles (Wireshark's and tcpdump's view); python3,
# nc, socat and ip are the classroom tests' peers and set-up (the scripts a class runs against lab server);
# dpkg-dev and file let cpack build the .deb, groff-base reads the generated man page, libcap2-bin's setcap gives
# a copy of lab capture rights.
packages=(g++ cmake ninja-build pkg-config libpcap-dev libssl-dev libasio-dev libcli11-dev catch2 libfmt-dev
          nlohmann-json3-dev)
[ "$mode" = run ] || packages+=(tshark tcpdump iproute2 python3 netcat-openbsd socat curl dpkg-dev file groff-base
                                libcap2-bin)
# The fuzz test needs clang and its fuzzer runtime, libclang-rt-N-dev for clang's major version N (14 on
# Debian 12, 19 on Debian 13, 18 on Ubuntu 24.04). The runtime is added only when apt knows it (before the first
# apt-get update, only for the releases named here): without it the fuzz test reports SKIPPED, saying why.
clang_runtime() {
  local major=
  if apt-cache policy clang 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    major=$(clang++ -dumpversion 2>/dev/null ||
            apt-cache policy clang | sed -n 's/^ *Candidate: *\([0-9]*:\)\{0,1\}\([0-9][0-9]*\).*/\2/p') || true
    major=${major%%.*}
    [ -n "$major" ] && apt-cache show "libclang-rt-$major-dev" >/dev/null 2>&1 && echo "libclang-rt-$major-dev"
  elif [ -r /etc/os-release ]; then
    case "$(. /etc/os-release && echo "$ID $VERSION_ID")" in
      "debian 12") echo libclang-rt-14-dev ;;
      "debian 13") echo libclang-rt-19-dev ;;
      "ubuntu 24.04") echo libclang-rt-18-dev ;;
    esac
  fi
  return 0
}
if [ "$mode" != run ]; then
  packages+=(clang)
  runtime=$(clang_runtime)
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
  # After the first apt-get update, apt knows the runtime for this clang even where the list above did not.
  if [ "$mode" != run ] && [ -z "${runtime:-}" ] && runtime=$(clang_runtime) && [ -n "$runtime" ]; then
    echo "==> installing: $runtime"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$runtime" >/dev/null
  fi
fi

# A build folder made by another user (typically root, by an earlier `sudo ./setup.sh`) cannot be written.
for f in build build/CMakeCache.txt; do
  if [ -e "$f" ] && [ ! -w "$f" ]; then
    owner=$(stat -c %U "$f")
    echo "setup.sh: ./$f belongs to $owner (an earlier ./setup.sh ran as $owner), so $(id -un) cannot write it;" \
         "remove it (sudo rm -rf build) or run ./setup.sh as $owner again" >&2
    exit 1
  fi
done

echo "==> building in ./build"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if [ "$mode" = run ]; then
  cmake --build build -j "$(nproc)" --target lab   # the lab alone; ./setup.sh test builds the rest
else
  cmake --build build -j "$(nproc)"
fi

case "$mode" in
  run)
    echo "==> ./build/lab tcp-echo --annotate"
    exec ./build/lab tcp-echo --annotate
    ;;
  test)
    cd build
    set +e
    ctest --output-on-failure -j "$(nproc)" --timeout 300
    rc=$?
    set -e
    bash ../tests/skipped.sh Testing/Temporary/LastTest.log
    exit $rc
    ;;
esac
