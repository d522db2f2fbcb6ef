#!/usr/bin/env bash
# run-host-tests.sh: run cmocka host-test binaries; one line each, then "host: P passed, F failed".
#
# Usage: tools/run-host-tests.sh BINARY...
# Counts are cmocka test cases, read from each binary's cmocka summaries
# (failed = run - passed - skipped, so setup errors count as failures). A
# binary that cannot be run, crashes or times out (HOST_TEST_TIMEOUT seconds,
# default 120) before its summary counts the tests it did not finish as
# failed, at least one; one that exits non-zero although every test passed
# (e.g. a LeakSanitizer report at exit) counts one failure. The output of a
# failing binary is shown in full; a passing one prints a single line.
# Exit status: 0 if nothing failed, 1 otherwise.
set -u

timeout_s=${HOST_TEST_TIMEOUT:-120}
total_pass=0
total_fail=0

# Sum the N of every cmocka summary line "[  TAG ] N test(s)..." (TAG is
# PASSED or SKIPPED, as cmocka pads them).
sum_tag() {
    printf '%s\n' "$1" | sed -n "s/^\[ *$2 *\] \([0-9][0-9]*\) test(s).*/\1/p" |
        awk '{ s += $1 } END { print s + 0 }'
}

for bin in "$@"; do
    name=${bin#build/host/}
    if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
        echo "FAIL $name: no such executable ($bin)"
        total_fail=$((total_fail + 1))
        continue
    fi
    out=$(CMOCKA_MESSAGE_OUTPUT=stdout timeout "$timeout_s" "$bin" 2>&1)
    rc=$?
    started=$(printf '%s\n' "$out" | sed -n 's/^\[==========\] Running \([0-9][0-9]*\) test(s)\./\1/p' |
        awk '{ s += $1 } END { print s + 0 }')
    finished=$(printf '%s\n' "$out" | grep -c '^\[==========\] [0-9][0-9]* test(s) run\.')
    groups=$(printf '%s\n' "$out" | grep -c '^\[==========\] Running ')
    ran=$(printf '%s\n' "$out" | sed -n 's/^\[==========\] \([0-9][0-9]*\) test(s) run\./\1/p' |
        awk '{ s += $1 } END { print s + 0 }')
    pass=$(sum_tag "$out" PASSED)
    skip=$(sum_tag "$out" SKIPPED)
    # Whatever ran and neither passed nor was skipped failed: cmocka lists a
    # test whose setup failed as ERROR, and leaves it out of its FAILED count.
    fail=$((ran - pass - skip))
    note=""
    if [ "$groups" -eq 0 ] || [ "$finished" -ne "$groups" ]; then
        # Did not get through its cmocka summary: count what completed.
        pass=$(printf '%s\n' "$out" | grep -c '^\[       OK \]')
        fail=$((started - pass))
        [ "$fail" -lt 1 ] && fail=1
        if [ "$rc" -eq 124 ]; then
            note=" (timed out after ${timeout_s}s)"
        elif [ "$groups" -eq 0 ]; then
            note=" (no cmocka output, exit status $rc)"
        else
            note=" (stopped early, exit status $rc)"
        fi
    elif [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
        fail=1
        note=" (exit status $rc after all tests passed: see sanitizer output)"
    fi
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
    [ "$skip" -gt 0 ] && note="$note ($skip skipped)"
    if [ "$fail" -eq 0 ]; then
        echo "PASS $name: $pass passed$note"
    else
        echo "FAIL $name: $pass passed, $fail failed$note"
        echo "----- output of $bin -----"
        printf '%s\n' "$out"
        echo "----- end of $bin -----"
    fi
done

echo "host: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
