#!/usr/bin/env bash
# Speed and memory of `lab annotate` on a long capture, against `tcpdump -nn -r` on the same file.
# Targets (issue: streaming annotate): on 1,000,000 packets with ~400 concurrent conversations,
# `lab annotate --format json` at least as fast as `TZ=UTC tcpdump -nn -r` (about 650k packets/s on a 2-core
# machine), peak RSS under 64 MiB, and peak RSS that does not grow with the file's length.
#
#   bench/annotate_speed.sh [path/to/lab] [runs]
#
# Builds nothing: run it after ./setup.sh build (it uses lab, bench/lab_gen_capture and bench/lab_peak_rss
# from the lab binary's build directory). The captures are generated once into $LAB_BENCH_DIR
# (default /tmp/lab-bench) and reused while the generator is unchanged. Every figure is the median of
# `runs` runs (default 5); output goes to /dev/null, so the cost of a terminal is not measured.
# tcpdump runs with TZ=UTC: without TZ glibc checks /etc/localtime for every packet's time (about 2.5x slower).
set -euo pipefail
lab=${1:-./build/lab}
runs=${2:-5}
[ -x "$lab" ] || { echo "no lab binary at $lab: build first (./setup.sh build)" >&2; exit 1; }
bin=$(cd "$(dirname "$lab")" && pwd)/bench
gen=$bin/lab_gen_capture
peak=$bin/lab_peak_rss
for tool in "$gen" "$peak"; do
  [ -x "$tool" ] || { echo "no $tool: build first (./setup.sh build)" >&2; exit 1; }
done
dir=${LAB_BENCH_DIR:-/tmp/lab-bench}
mkdir -p "$dir"

# capture N: the path of an N-packet capture, generated when missing or older than the generator.
capture() {
  local file=$dir/annotate-$1.pcap
  if [ ! -s "$file" ] || [ "$gen" -nt "$file" ]; then
    echo "generating $file ($1 packets)..." >&2
    "$gen" "$file.tmp" --packets "$1" && mv "$file.tmp" "$file"
  fi
  echo "$file"
}

# run_median NAME PACKETS CMD...: runs CMD `runs` times (stdout to /dev/null) under lab_peak_rss and prints
# the median wall time, packets/s, CPU time and the largest peak RSS. Sets $median_s and $max_rss_kib.
run_median() {
  local name=$1 packets=$2; shift 2
  local report=$dir/report.txt
  : >"$report"
  for ((i = 0; i < runs; i++)); do
    "$peak" "$@" 2>&1 >/dev/null | grep '^lab_peak_rss:' >>"$report" || true
  done
  if [ ! -s "$report" ] || grep -qv 'status=0$' "$report"; then echo "$name failed: $(cat "$report")" >&2; exit 1; fi
  # Fields: wall_s user_s sys_s max_rss_kib status (mawk has no asort: sort does the ordering).
  local fields=$(sed 's/lab_peak_rss: //; s/[a-z_]*=//g' "$report")
  median_s=$(echo "$fields" | awk '{ print $1 }' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  cpu_s=$(echo "$fields" | awk '{ print $2 + $3 }' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  max_rss_kib=$(echo "$fields" | awk '$4 > m { m = $4 } END { print m }')
  awk -v name="$name" -v s="$median_s" -v cpu="$cpu_s" -v rss="$max_rss_kib" -v p="$packets" -v runs="$runs" \
    'BEGIN { printf "%-34s %8.0f pkt/s  median %6.3f s  cpu %6.3f s  peak RSS %6.1f MiB  (%d runs)\n",
             name, p / s, s, cpu, rss / 1024, runs }'
}

big=1000000
small=250000
file_big=$(capture $big)
file_small=$(capture $small)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
echo "lab: $lab ($(cd "$(dirname "$lab")" && grep -s '^CMAKE_BUILD_TYPE' CMakeCache.txt | cut -d= -f2))"
echo "file: $file_big ($big packets, $(($(stat -c %s "$file_big") / 1048576)) MiB)"

if command -v tcpdump >/dev/null; then
  run_median "TZ=UTC tcpdump -nn -r" $big env TZ=UTC tcpdump -nn -r "$file_big"
  tcpdump_s=$median_s
else
  echo "tcpdump is not installed (./setup.sh test installs it): no ratio" >&2
  tcpdump_s=
fi
run_median "lab annotate --format json" $big "$lab" annotate "$file_big" --format json
json_s=$median_s json_rss=$max_rss_kib
run_median "lab annotate --format text" $big "$lab" annotate "$file_big" --format text --color never
text_s=$median_s
run_median "lab annotate --format json (250k)" $small "$lab" annotate "$file_small" --format json
small_rss=$max_rss_kib

if [ -n "$tcpdump_s" ]; then
  awk -v t="$tcpdump_s" -v j="$json_s" -v x="$text_s" 'BEGIN {
    printf "ratio lab/tcpdump (speed): json %.2f, text %.2f  (target: json >= 1.00)\n", t / j, t / x }'
fi
awk -v big="$json_rss" -v small="$small_rss" 'BEGIN {
  printf "peak RSS json: 250k packets %.1f MiB, 1M packets %.1f MiB, growth x%.2f  (target: < 64 MiB, no growth)\n",
         small / 1024, big / 1024, big / small }'
