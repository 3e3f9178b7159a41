#!/bin/sh
# signetd against Samba's conformance suite (peers.md). The tests to run are
# listed in smbtorture.list; the ones known to fail, each with the reason
# seen in smbtorture's output, in smbtorture.knownfail ("NAME  # reason").
# Every listed test must pass unless it is a known failure; a known failure
# that passes fails the script too (remove it from smbtorture.knownfail), so
# the known-failure list only shrinks. A test that smbtorture skips has not
# passed.
#
#   tests/interop/server_smbtorture.sh [BUILD_DIR]
#
# signetd runs with a configuration written here on 127.0.0.1:<free port in
# 4660-4699>: signing mandatory, user demo, read-write shares demo1..demoN
# the tests run on (N = $SMBTORTURE_JOBS, default 4, smbtorture processes side
# by side, one a share), and a read-only share "noperm" (smb2.ioctl.bug14788
# connects to it). Prints one line per test, in the list's order: "ok",
# "FAIL" or "xfail" (a known failure), then "server_smbtorture: P passed, F
# failed". Every process started here is stopped by its pid.
set -eu

BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
[ -x "$SIGNETD" ] || { echo "no $SIGNETD (build first)"; exit 2; }
command -v smbtorture >/dev/null || { echo "SKIP: smbtorture (samba-testsuite) not installed"; exit 77; }
LIST=$HERE/smbtorture.list
KNOWNFAIL=$HERE/smbtorture.knownfail
if [ ! -r "$LIST" ] || [ ! -r "$KNOWNFAIL" ]; then echo "no $LIST or $KNOWNFAIL"; exit 2; fi

# shellcheck disable=SC1091 # sourced helper, checked on its own
. "$HERE/server_lib.sh"
srv_lib_init 4660 4699 PID

cd "$WORK"
# JOBS smbtorture processes run side by side, each on a share of its own
# (demo1..demoJOBS): the tests name fixed files, and most of their time is
# spent waiting for breaks that must not come.
JOBS=${SMBTORTURE_JOBS:-4}
mkdir noperm
srv_lib_add_user demo secret
cat >signet.conf <<CONF
[global]
  listen = 127.0.0.1:$PORT
  server signing = mandatory
  user database = $WORK/users
  invalid authentication delay = 0
[noperm]
  path = $WORK/noperm
  read only = yes
CONF
for k in $(seq "$JOBS"); do
    mkdir "demo$k"
    printf '[demo%s]\n  path = %s/demo%s\n  read only = no\n  valid users = demo\n' \
        "$k" "$WORK" "$k" >>signet.conf
done
srv_lib_start_signetd signet.conf

# names only: comments and blank lines dropped
names() { sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' "$1" | awk '{print $1}'; }
names "$LIST" >list.txt
names "$KNOWNFAIL" >knownfail.txt

passed=0 failed=0 xfail=0
# a known failure that is not in the list is stale
while read -r t; do
    grep -qx "$t" list.txt ||
        { echo "FAIL - $t is in smbtorture.knownfail but not in smbtorture.list"; failed=$((failed + 1)); }
done <knownfail.txt

# run_one TEST SHARE: its verdict ("ok", "xfail" or "FAIL" and the lines
# that say why) on stdout
run_one() {
    out=$(timeout 90 smbtorture "//127.0.0.1/$2" -p "$PORT" -U "demo%secret" \
        --option=clientsigning=required --option=torture:timelimit=2 \
        --option=torture:nprocs=2 "$1" </dev/null 2>&1 || true)
    pass=no
    if echo "$out" | grep -q "^success:" && ! echo "$out" | grep -Eq "^(failure|error|skip):"; then
        pass=yes
    fi
    if grep -qx "$1" knownfail.txt; then
        if [ "$pass" = yes ]; then
            echo "FAIL - $1 passes now: remove it from smbtorture.knownfail"
        else
            echo "xfail - $1 #$(grep -E "^$1([[:space:]]|\$)" "$KNOWNFAIL" | sed -n 's/^[^#]*#//p' | head -n 1)"
        fi
    elif [ "$pass" = yes ]; then
        echo "ok   - $1"
    else
        echo "FAIL - $1"
        echo "$out" | grep -E "^(failure|error|skip)|\.c:[0-9]+|Segmentation" | head -5 | sed 's/^/    /'
    fi
}

mkdir results
workers=
for k in $(seq "$JOBS"); do
    (
        i=0
        while read -r t; do
            i=$((i + 1))
            [ $(((i - 1) % JOBS + 1)) -eq "$k" ] || continue
            run_one "$t" "demo$k" >"results/$(printf '%05d' "$i")"
        done <list.txt
    ) &
    workers="$workers $!"
done
for w in $workers; do wait "$w"; done
for f in results/*; do
    cat "$f"
    case $(head -n 1 "$f") in
    ok*) passed=$((passed + 1)) ;;
    xfail*) xfail=$((xfail + 1)) ;;
    *) failed=$((failed + 1)) ;;
    esac
done
total=$(wc -l <list.txt)
echo "smbtorture: $passed of $total listed tests passed, $xfail known failures (smbtorture.knownfail)"

kill -0 "$PID" || { echo "FAIL - signetd died"; failed=$((failed + 1)); }
grep -qiE "asan|runtime error|sanitizer" stderr.txt &&
    { echo "FAIL - sanitizer report in signetd's log"; failed=$((failed + 1)); }
kill -TERM "$PID" 2>/dev/null || true
rc=0
wait "$PID" || rc=$?
PID=
[ "$rc" -eq 0 ] || { echo "FAIL - signetd exit $rc"; failed=$((failed + 1)); }
if [ "$failed" -ne 0 ]; then
    echo "--- signetd stderr (a sanitizer report, else the tail)"
    if grep -qE "WARNING: ThreadSanitizer|ERROR: AddressSanitizer|runtime error" stderr.txt; then
        grep -m 1 -A 60 -E "WARNING: ThreadSanitizer|ERROR: AddressSanitizer|runtime error" stderr.txt
    else
        tail -n 20 stderr.txt
    fi
fi
echo "server_smbtorture: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
