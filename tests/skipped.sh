#!/usr/bin/env bash
# The last lines of ./setup.sh test: which tests were skipped, each with the reason it printed. A test that cannot
# run prints one "SKIP: why" line (tests/support/skip.hpp; the robustness scripts do the same and exit 77), which is
# also what makes ctest count it as skipped. Read from ctest's LastTest.log, which keeps every test's output.
# usage: tests/skipped.sh build/Testing/Temporary/LastTest.log
set -uo pipefail
log=${1:?usage: tests/skipped.sh LastTest.log}
[ -r "$log" ] || { echo "==> no ctest log at $log: cannot tell what was skipped"; exit 0; }
awk '
  /^[0-9]+\/[0-9]+ Test: / { name = $0; sub(/^[0-9]+\/[0-9]+ Test: /, "", name); inside = 0; next }
  /^Output:$/ { inside = 1; next }
  /^<end of output>$/ { inside = 0; next }
  inside && /^SKIP: / && name != "" {
    reason = substr($0, 7)
    if (length(reason) > 150) reason = substr(reason, 1, 147) "..."
    skipped[++n] = name ": " reason
    name = ""
  }
  END {
    if (n == 0) { print "==> skipped: none"; exit }
    printf "==> skipped: %d test(s), each for the reason it gave\n", n
    for (i = 1; i <= n; ++i) print "    " skipped[i]
  }
' "$log"
