#!/usr/bin/env bash
# Robustness over real captures: `lab annotate` (built with AddressSanitizer + UndefinedBehaviorSanitizer) on
# every capture of one shard of the corpus, in both formats. Each run must end within the time limit, with
# no signal and no sanitizer report, and either
#   exit 0, or
#   exit non-zero with exactly one line on stderr starting "lab: ".
# With --format json the packets printed must be exactly the frames libpcap returns (pcap_frames count):
# all of them on exit 0, all complete records before the fault for a file cut short (which must exit
# non-zero), none for a file refused as a whole (not a capture, unsupported link type: exit non-zero).
#
# usage: run_corpus.sh LAB PCAP_FRAMES CORPUS_DIR SHARD SHARDS [SECONDS]
# Exit 0: all good; 1: failures (each listed with its file and stderr); 77: no corpus here (skipped).
set -uo pipefail

lab=$1 pcap_frames=$2 corpus=$3 shard=$4 shards=$5 limit=${6:-20}

if [ ! -d "$corpus" ]; then
  echo "SKIP: no capture corpus at $corpus (it lives in shared/corpus/pcap beside the repository)"
  exit 77
fi
for tool in "$lab" "$pcap_frames"; do
  if [ ! -x "$tool" ]; then echo "FAIL: $tool was not built"; exit 1; fi
done

# Every sanitizer finding stops the run with a signal, and leaks are reported too.
# (detect_stack_use_after_return and strict_string_checks would add a fifth to the 2,000 runs.)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1:check_initialization_order=1:symbolize=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:symbolize=1
export LSAN_OPTIONS=report_objects=0
# LeakSanitizer stops the world with ptrace; where a container forbids that it cannot run at all.
if "$lab" --help 2>&1 >/dev/null | grep -q 'LeakSanitizer has encountered a fatal error'; then
  echo "WARNING: LeakSanitizer cannot run here (ptrace is not allowed); leaks are not checked"
  ASAN_OPTIONS=${ASAN_OPTIONS/detect_leaks=1/detect_leaks=0}
fi
export NO_COLOR=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

files=()
i=0
while IFS= read -r -d '' f; do
  if [ $((i % shards)) -eq "$shard" ]; then files+=("$f"); fi
  i=$((i + 1))
done < <(find "$corpus" -maxdepth 1 -type f -print0 | LC_ALL=C sort -z)

failures=0
fail() {  # fail FILE FORMAT REASON: the file, what is wrong, and its stderr
  failures=$((failures + 1))
  echo "FAIL [$2] $(basename "$1"): $3"
  if [ -s "$work/err" ]; then
    echo "  --- stderr (first 60 lines) ---"
    head -n 60 "$work/err" | sed 's/^/  | /'
  fi
  echo "  reproduce: $lab annotate '$1' --format $2"
}

start=$(date +%s)
slowest_ms=0 slowest=
for f in "${files[@]}"; do
  read -r expected how link < <("$pcap_frames" count "$f")
  for format in json text; do
    t0=$(date +%s%N)
    timeout -k 5 "$limit" "$lab" annotate "$f" --format "$format" >"$work/out" 2>"$work/err" </dev/null
    rc=$?
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    if [ $ms -gt $slowest_ms ]; then slowest_ms=$ms slowest="$(basename "$f") --format $format"; fi
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then fail "$f" $format "hang: still running after ${limit} s, killed"; continue; fi
    if grep -qE 'runtime error|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|ERROR: |SUMMARY: ' "$work/err"; then
      fail "$f" $format "sanitizer report (exit $rc)"; continue
    fi
    if [ $rc -ge 128 ]; then fail "$f" $format "killed by signal $((rc - 128))"; continue; fi
    if [ $rc -ne 0 ]; then
      lines=$(wc -l <"$work/err")
      if [ "$lines" -ne 1 ] || [ "$(head -c 5 "$work/err")" != "lab: " ] || [ "$(tail -c 1 "$work/err" | wc -l)" -ne 1 ]; then
        fail "$f" $format "exit $rc, but stderr is not exactly one line starting \"lab: \""; continue
      fi
    fi
    if [ "$format" = json ]; then
      packets=$(grep -c '^{"type":"packet"' "$work/out")
      if [ "$link" = unsupported ] && { [ $rc -eq 0 ] || [ "$packets" -ne 0 ]; }; then
        fail "$f" $format "exit $rc after $packets packets, but lab does not decode this file's link type"
      elif [ "$link" = unsupported ]; then
        :
      elif [ "$how" = end ] && [ $rc -eq 0 ] && [ "$packets" -ne "$expected" ]; then
        fail "$f" $format "exit 0 with $packets packets, but libpcap reads $expected frames"
      elif [ "$how" = end ] && [ $rc -ne 0 ] && [ "$packets" -ne 0 ]; then
        fail "$f" $format "exit $rc after $packets packets, but libpcap reads all $expected frames without error"
      elif [ "$how" = error ] && [ $rc -eq 0 ]; then
        fail "$f" $format "exit 0, but libpcap stops with an error after $expected frames"
      elif [ "$how" = error ] && [ "$packets" -ne "$expected" ]; then
        fail "$f" $format "cut short: $packets packets printed, but $expected complete records come before the fault"
      elif [ "$how" = unreadable ] && [ $rc -eq 0 ]; then
        fail "$f" $format "exit 0, but libpcap cannot open it"
      fi
    fi
  done
done
echo "shard $shard/$shards: ${#files[@]} captures x 2 formats in $(( $(date +%s) - start )) s (slowest: $slowest, $slowest_ms ms), $failures failure(s)"
[ $failures -eq 0 ]
