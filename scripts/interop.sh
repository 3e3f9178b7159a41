#!/bin/sh
# Run the interop suite: every executable tests/interop/*.sh (helper files
# that are sourced are not executable), each with the build directory as its
# argument and a time limit. A script prints one line per check beginning
# with "ok" or "FAIL" (after optional spaces), or ends with its own count
# "NAME: N passed, N failed"; it exits 0 when all passed, 77
# when a peer it needs is missing (skipped), anything else on failure.
#
#   scripts/interop.sh BUILD_DIR [NAME...]     (names without .sh; default all)
#   SIGNET_INTEROP_TIMEOUT  seconds per script (default 900)
#
# Ends with the line "interop-total: S scripts, P passed, F failed, K skipped"
# (checks, not scripts) that scripts/test_summary.py reads.
set -u
cd "$(dirname "$0")/.."
build=${1:?usage: scripts/interop.sh BUILD_DIR [NAME...]}
shift
limit=${SIGNET_INTEROP_TIMEOUT:-900}
# Python peers and helpers must not write bytecode into the source tree.
export PYTHONDONTWRITEBYTECODE=1
logs=$build/interop-logs
mkdir -p "$logs"

if [ $# -gt 0 ]; then
    scripts=""
    for n in "$@"; do scripts="$scripts tests/interop/$n.sh"; done
else
    scripts=$(find tests/interop -maxdepth 1 -name '*.sh' -perm -u+x | sort)
fi

n_scripts=0 passed=0 failed=0 skipped=0 status=0
for s in $scripts; do
    name=$(basename "$s" .sh)
    n_scripts=$((n_scripts + 1))
    start=$(date +%s)
    timeout --kill-after=30 "$limit" "$s" "$build" >"$logs/$name.log" 2>&1 </dev/null
    rc=$?
    secs=$(($(date +%s) - start))
    ok=$(grep -cE '^[[:space:]]*ok([[:space:]:]|$)' "$logs/$name.log")
    bad=$(grep -cE '^[[:space:]]*FAIL([[:space:]:]|$)' "$logs/$name.log")
    # A script that counts finer checks than it prints lines says so last.
    own=$(sed -n "s/^$name: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p" "$logs/$name.log" | tail -n 1)
    if [ -n "$own" ]; then
        ok=${own% *}
        bad=${own#* }
    fi
    if [ "$rc" -eq 77 ]; then
        skipped=$((skipped + 1))
        printf '%-28s skipped (%s)\n' "$name" "$(tail -n 1 "$logs/$name.log")"
        continue
    fi
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        bad=1 # died, or timed out (rc 124), before reporting a check
    fi
    passed=$((passed + ok))
    failed=$((failed + bad))
    verdict=passed
    if [ "$rc" -ne 0 ]; then
        verdict="FAILED (exit $rc; log $logs/$name.log)"
        status=1
        grep -E '^[[:space:]]*FAIL' "$logs/$name.log" | head -n 5 | sed 's/^/    /'
        # a sanitizer report, if the script printed one: CI keeps only this summary
        grep -m 1 -A 40 -E 'WARNING: ThreadSanitizer|ERROR: AddressSanitizer|runtime error' \
            "$logs/$name.log" | sed 's/^/    | /' || true
    fi
    printf '%-28s %3d ok, %d failed, %ss: %s\n' "$name" "$ok" "$bad" "$secs" "$verdict"
done
echo "interop-total: $n_scripts scripts, $passed passed, $failed failed, $skipped skipped"
exit $status
