#!/usr/bin/env bash
# A short, bounded libFuzzer run in CI: first every saved input (regressions, seeds) replays, then the fuzzer
# runs for SECONDS from those seeds plus one seed per capture of the shared corpus. Any crash, sanitizer
# report, timeout or out-of-memory fails the test and names the input to keep as a regression.
#
# usage: run_fuzz.sh FUZZER PCAP_FRAMES CORPUS_DIR REPO_DIR WORK_DIR SECONDS
# Exit 0: clean; 1: a finding; 77: no fuzzer could be built here (skipped).
set -uo pipefail

fuzzer=$1 pcap_frames=$2 corpus=$3 repo=$4 work=$5 seconds=$6

if [ "$fuzzer" = none ] || [ ! -x "$fuzzer" ]; then
  echo "SKIP: no libFuzzer build (needs clang++ and its fuzzer runtime: ./setup.sh test installs them)"
  exit 77
fi
mkdir -p "$work/corpus" "$work/pcap-seeds" "$work/artifacts"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:symbolize=1

found() {
  echo "FAIL: $1"
  for a in "$work"/artifacts/*; do
    [ -e "$a" ] || continue
    echo "  input: $a"
    echo "  keep it as a regression: cp '$a' '$repo/tests/fuzz/regressions/<what-it-broke>'"
  done
  exit 1
}

# 1. Every kept input, once each.
saved=()
for dir in "$repo/tests/fuzz/regressions" "$repo/tests/fuzz/seeds"; do
  for f in "$dir"/*; do [ -f "$f" ] && saved+=("$f"); done
done
if [ ${#saved[@]} -gt 0 ]; then
  "$fuzzer" -error_exitcode=1 -timeout_exitcode=1 -timeout=5 -rss_limit_mb=1024 "${saved[@]}" >"$work/replay.log" 2>&1 ||
    { tail -n 80 "$work/replay.log"; found "a saved input fails (above)"; }
  echo "replayed ${#saved[@]} saved inputs"
fi

# 2. Seeds from the real captures (once per build directory).
if [ -d "$corpus" ] && [ ! -e "$work/pcap-seeds/.done" ]; then
  find "$corpus" -maxdepth 1 -type f -print0 | xargs -0 "$pcap_frames" seeds "$work/pcap-seeds" && touch "$work/pcap-seeds/.done"
fi

# 3. The bounded run. New inputs go to the first folder; the others are read only.
rm -f "$work"/artifacts/*
"$fuzzer" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=5 -max_len=4096 -error_exitcode=1 \
  -timeout_exitcode=1 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
  "$work/corpus" "$repo/tests/fuzz/seeds" "$work/pcap-seeds" >"$work/fuzz.log" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
  tail -n 80 "$work/fuzz.log"
  found "the fuzzer found a problem (exit $rc; log above, whole log $work/fuzz.log)"
fi
grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::new_units_added)' "$work/fuzz.log"
echo "fuzzed ${seconds} s: clean"
