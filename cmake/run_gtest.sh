#!/usr/bin/env bash
# Runs one GoogleTest binary for ctest (see iob_test in IobTargets.cmake) so
# that a skipped case never reads as a pass: when the binary passes but
# skipped a case, exit 77 (the test's SKIP_RETURN_CODE) and append one line
# "<binary> <Suite.Case>: <reason>" per skipped case to $IOB_SKIP_LOG (when
# set; ./iob test lists and judges them). A failing binary keeps its code.
set -uo pipefail
out=$(mktemp /tmp/iob_gtest_out.XXXXXX)
trap 'rm -f "$out"' EXIT
"$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 0 ] || exit "$rc"
grep -q '^\[  SKIPPED \] [^0-9]' "$out" || exit 0
if [ -n "${IOB_SKIP_LOG:-}" ]; then
  # gtest prints "<file>:<line>: Skipped", the reason lines, then
  # "[  SKIPPED ] Suite.Case (N ms)"; the summary repeats the names afterwards.
  awk -v bin="$(basename "$1")" '
    / Skipped$/ { grab = 1; reason = ""; next }
    grab && /^\[  SKIPPED \] / {
      name = $4
      gsub(/^ +| +$/, "", reason)
      print bin " " name ": " (reason == "" ? "(no reason given)" : reason)
      grab = 0; next
    }
    grab { reason = reason (reason == "" ? "" : " ") $0 }
  ' "$out" >>"$IOB_SKIP_LOG"
fi
exit 77
