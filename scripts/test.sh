#!/bin/sh
# The README's second command and what CI runs: install what the tests need,
# build with -Werror under AddressSanitizer and UndefinedBehaviorSanitizer, run
# the unit and known-answer tests, the interop suite against real peers
# (Samba, smbclient, smbtorture, impacket, nmap, tshark) that it starts on
# loopback, replay every fuzz corpus and fuzz each target briefly, then print
# the counts. Exit status 0 only if everything passed.
#   SIGNET_FUZZ_SECONDS  seconds of fuzzing per target (default 10; 0 = replay only)
#   SIGNET_INTEROP=0     skip the interop suite (it then counts as not run)
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh test

build=build-test
if [ ! -f $build/build.ninja ]; then
    meson setup $build -Db_sanitize=address,undefined -Db_lundef=false \
        -Dc_args=-fno-sanitize-recover=all -Dbench=true >/dev/null
fi
ninja -C $build
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
status=0
meson test -C $build --suite unit --suite vectors --print-errorlogs --no-rebuild \
    >$build/test-output.txt 2>&1 || status=1
tail -n 12 $build/test-output.txt

interop_log=$build/interop-summary.txt
: >$interop_log
if [ "${SIGNET_INTEROP:-1}" != 0 ]; then
    sh scripts/interop.sh $build >$interop_log 2>&1 || status=1
    cat $interop_log
fi

fuzz_log=build-fuzz/fuzz-summary.txt
mkdir -p build-fuzz
: >$fuzz_log
if [ -f scripts/fuzz.sh ]; then
    seconds=${SIGNET_FUZZ_SECONDS:-10}
    if [ "$seconds" = 0 ]; then
        bash scripts/fuzz.sh --replay-only >$fuzz_log 2>&1 || status=1
    else
        bash scripts/fuzz.sh --seconds "$seconds" >$fuzz_log 2>&1 || status=1
    fi
    cat $fuzz_log
fi

python3 scripts/test_summary.py $build/meson-logs/testlog.json $fuzz_log $interop_log || status=1
exit $status
