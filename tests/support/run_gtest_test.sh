#!/usr/bin/env bash
# Finding 17: a skipped case must never read as a pass. Checks
# cmake/run_gtest.sh (how ctest runs every iob_test) with stand-in binaries:
# passed-with-a-skip -> 77 (ctest Skipped) and the case logged with its
# reason; failed-with-a-skip -> the failure code; all passed -> 0.
set -uo pipefail
runner=$1
work=$(mktemp -d /tmp/iob_run_gtest_test.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail=0
check() {  # check NAME WANT GOT
  if [ "$2" != "$3" ]; then echo "FAIL $1: want $2, got $3"; fail=1; else echo "ok   $1"; fi
}
cat >"$work/skips" <<'BIN'
#!/bin/sh
echo '[ RUN      ] Dtd.Validates'
echo 'x.cc:12: Skipped'
echo 'no cXML DTD at /x (IOB_CXML_DTD_DIR unset)'
echo '[  SKIPPED ] Dtd.Validates (0 ms)'
echo '[  PASSED  ] 1 test.'
echo '[  SKIPPED ] 1 test, listed below:'
echo '[  SKIPPED ] Dtd.Validates'
exit "${EXIT:-0}"
BIN
printf '#!/bin/sh\necho "[  PASSED  ] 3 tests."\n' >"$work/passes"
chmod +x "$work/skips" "$work/passes"

IOB_SKIP_LOG=$work/log "$runner" "$work/skips" >/dev/null
check "passed with a skip is Skipped (77)" 77 $?
check "skip logged with its reason" \
  "skips Dtd.Validates: no cXML DTD at /x (IOB_CXML_DTD_DIR unset)" "$(cat "$work/log")"
EXIT=1 IOB_SKIP_LOG=$work/log2 "$runner" "$work/skips" >/dev/null
check "failed with a skip stays failed" 1 $?
"$runner" "$work/passes" >/dev/null
check "all passed is passed" 0 $?
exit "$fail"
