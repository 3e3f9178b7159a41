#!/bin/sh
# The README's second command and what CI runs: install what the tests need,
# build with -Werror under AddressSanitizer and UndefinedBehaviorSanitizer, run
# the unit and known-answer tests, the server's tests again under
# ThreadSanitizer, the interop suite against real peers
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

# The server again under ThreadSanitizer: its pool threads and its loop
# thread share each request's job data. Its unit tests here, and two interop
# scripts against a TSan signetd below (a report fails them).
tsan=build-tsan
if [ ! -f $tsan/build.ninja ]; then
    meson setup $tsan -Db_sanitize=thread -Db_lundef=false -Dbench=false >/dev/null
fi
# tests/tsan.supp: descriptor-number races TSan cannot see through (why: there)
tsan_options="halt_on_error=1 suppressions=$PWD/tests/tsan.supp"
tsan_tests="server/engine server/table server/notify server/notify_local server/oplock server/files server/dispatch server/admin server/durable server/encrypt server/guard"
ninja -C $tsan tools/signetd tools/signet $(for t in $tsan_tests; do echo "tests/unit/server/test_server_${t#server/}"; done) \
    >$tsan/ninja.log 2>&1 || { tail -n 30 $tsan/ninja.log; exit 1; }
TSAN_OPTIONS=$tsan_options meson test -C $tsan --no-rebuild --print-errorlogs $tsan_tests \
    >$tsan/test-output.txt 2>&1 || status=1
tail -n 8 $tsan/test-output.txt

interop_log=$build/interop-summary.txt
: >$interop_log
if [ "${SIGNET_INTEROP:-1}" != 0 ]; then
    sh scripts/interop.sh $build >$interop_log 2>&1 || status=1
    cat $interop_log
    echo "ThreadSanitizer signetd:" | tee -a $interop_log
    TSAN_OPTIONS=$tsan_options sh scripts/interop.sh $tsan server_smbtorture server_files \
        >$tsan/interop-summary.txt 2>&1 || status=1
    tee -a $interop_log <$tsan/interop-summary.txt
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

python3 scripts/test_summary.py $build/meson-logs/testlog.json $fuzz_log $interop_log \
    $tsan/meson-logs/testlog.json || status=1
exit $status
