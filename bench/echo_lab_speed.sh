#!/usr/bin/env bash
# Wall time of one whole lab run (namespace, capture, server, client, annotation, summary), as a student
# sees it. Target (issue 2): under 300 ms on a 2-core machine for `lab tcp-echo --annotate` and
# `lab udp-echo --annotate` with one message.
#   bench/echo_lab_speed.sh [path/to/lab] [runs]
set -euo pipefail
lab=${1:-./build/lab}
runs=${2:-30}
[ -x "$lab" ] || { echo "no lab binary at $lab: build first (./setup.sh build)" >&2; exit 1; }

measure() {
  local name=$1; shift
  local times=()
  for ((i = 0; i < runs; i++)); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    times+=($(((end - start) / 1000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v name="$name" -v runs="$runs" '
    { t[NR] = $1; sum += $1 }
    END { printf "%-28s runs %d  min %6.1f ms  median %6.1f ms  p90 %6.1f ms  max %6.1f ms  (target < 300 ms)\n",
          name, runs, t[1] / 1000, t[int((NR + 1) / 2)] / 1000, t[int(NR * 0.9)] / 1000, t[NR] / 1000 }'
}

echo "machine: $(nproc) cores, $(uname -r), $(id -un)"
measure "lab tcp-echo --annotate" "$lab" tcp-echo --annotate --color never
measure "lab udp-echo --annotate" "$lab" udp-echo --annotate --color never
measure "lab tcp-echo --format json" "$lab" tcp-echo --format json
