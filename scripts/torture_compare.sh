#!/bin/bash
# torture_compare.sh - run smbtorture test by test against Samba smbd and
# signetd side by side, and count what each passes. A long campaign (minutes
# to hours): NOT part of scripts/test.sh or the interop suite.
#
#   scripts/torture_compare.sh [--build DIR] [--out DIR] [--signetd-only] SUITE...
#
#   SUITE           an smbtorture name prefix: smb2.oplock, smb2.lease,
#                   smb2.lock, smb2.tcon, ... Each is expanded with
#                   `smbtorture --list` into its leaf tests (sub-suites such as
#                   smb2.lock.* are expanded too); a test named by two suites
#                   is run once, counted under the first.
#   --build DIR     build directory holding tools/signetd (default build-test;
#                   build it with `meson setup build-test && ninja -C build-test`)
#   --out DIR       where results go (default ./torture-compare)
#   --signetd-only  do not start Samba; reuse the samba column of an earlier
#                   OUT/results.tsv for the tests it holds ("-" otherwise)
#
# What it measures: the same smbtorture binary, with the same options
# (--option=clientsigning=required --option=torture:timelimit=2
# --option=torture:nprocs=2, 120 s per test), user demo%secret, share "demo",
# runs every test once against
#   - Samba smbd configured as Windows sites run it (docs: shared/peers.md):
#     vfs objects = acl_xattr streams_xattr, ea support = yes, store dos
#     attributes = yes, server signing = mandatory, shares demo (read-write)
#     and noperm (read-only);
#   - signetd configured as tests/interop/server_smbtorture.sh does: server
#     signing = mandatory, user demo, invalid authentication delay = 0, shares
#     demo and noperm.
# Both listen on 127.0.0.1 on free ports in 4920-4969; both shares are emptied
# before every test (their files are moved aside: see empty_share).
# A test passes only if smbtorture printed a "success:" line and no
# "failure:", "error:" or "skip:" line (the rule of server_smbtorture.sh).
# signetd is a copy of BUILD/tools/signetd taken at start (a rebuild during
# the campaign changes nothing); if it dies it is restarted and the test that
# killed it is marked; sanitizer reports in its stderr are attributed to the
# test that was running.
#
# Output:
#   stdout               one line per test, then per suite:
#                        suite tests samba_pass signetd_pass both samba_only signetd_only
#   OUT/results.tsv      test samba signetd samba_reason signetd_reason
#                        (pass/fail/-; reason = the first failure/error/skip
#                        line with its bracketed detail, or why there was no
#                        verdict, trimmed to 200 characters)
#                        (an earlier one is kept as OUT/results.prev.tsv;
#                        OUT/results.partial.tsv grows while the tests run)
#   OUT/samba_only.txt   tests Samba passes and signetd does not (to fix or
#                        to list as known failures)
#   OUT/summary.txt      the per-suite table
#   OUT/logs/{samba,signetd}/TEST.txt   each smbtorture run's full output
#   OUT/signetd_stderr.txt, OUT/samba_log.smbd   the servers' logs
#   OUT/events.txt       hangs (timeouts), server deaths, sanitizer reports
#
# Runs as root (smbd, useradd, smbpasswd). Every process started here is
# stopped by its pid; the one temporary directory is removed on exit.

# shellcheck disable=SC2317 # functions run from traps look unreachable
set -u

BUILD=build-test
OUT=torture-compare
SIGNETD_ONLY=no
SUITES=()
usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
while [ $# -gt 0 ]; do
    case $1 in
    --build) BUILD=${2:?--build needs a directory}; shift 2 ;;
    --build=*) BUILD=${1#*=}; shift ;;
    --out) OUT=${2:?--out needs a directory}; shift 2 ;;
    --out=*) OUT=${1#*=}; shift ;;
    --signetd-only) SIGNETD_ONLY=yes; shift ;;
    -h | --help) usage 0 ;;
    -*) echo "unknown option $1" >&2; usage ;;
    *) SUITES+=("$1"); shift ;;
    esac
done
[ ${#SUITES[@]} -gt 0 ] || usage

TEST_TIMEOUT=120
USER_NAME=demo
USER_PASS=secret
PORT_LOW=4920
PORT_HIGH=4969

SIGNETD_SRC=$BUILD/tools/signetd
if [ ! -x "$SIGNETD_SRC" ]; then
    echo "no $SIGNETD_SRC: build it first:" >&2
    echo "    meson setup $BUILD && ninja -C $BUILD" >&2
    exit 2
fi
command -v smbtorture >/dev/null || { echo "smbtorture missing: apt-get install -y samba-testsuite" >&2; exit 2; }
if [ "$SIGNETD_ONLY" = no ]; then
    command -v smbd >/dev/null || { echo "smbd missing: apt-get install -y samba" >&2; exit 2; }
    [ "$(id -u)" -eq 0 ] || { echo "run as root (smbd, useradd, smbpasswd)" >&2; exit 2; }
    if ! ls /usr/lib/*/samba/vfs/acl_xattr.so /usr/lib/*/samba/vfs/streams_xattr.so >/dev/null 2>&1; then
        echo "Samba's acl_xattr/streams_xattr missing: apt-get install -y samba-vfs-modules" >&2
        exit 2
    fi
fi

mkdir -p "$OUT" || exit 2
OUT=$(cd "$OUT" && pwd)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

# ---------------------------------------------------------------- temp dir, cleanup
WORK=$(mktemp -d /tmp/torture-compare-XXXXXX) || exit 2
# smbd serves the share as the Unix user demo, who must be able to reach it
chmod 755 "$WORK"
SIGNETD_PID=
SMBD_PID=

stop_pid() { # stop_pid PID: TERM, wait up to 10 s, then KILL; reap
    local pid=$1 i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

stop_smbd() {
    [ -n "$SMBD_PID" ] || return 0
    # smbd forks one child per connection: stop those we know by pid too
    local kids
    kids=$(pgrep -P "$SMBD_PID" 2>/dev/null || true)
    stop_pid "$SMBD_PID"
    for k in $kids; do
        kill -0 "$k" 2>/dev/null && kill -TERM "$k" 2>/dev/null
    done
    sleep 0.2
    for k in $kids; do kill -0 "$k" 2>/dev/null && kill -KILL "$k" 2>/dev/null; done
    SMBD_PID=
}

cleanup() {
    trap - EXIT INT TERM
    if [ -n "$SIGNETD_PID" ]; then
        stop_pid "$SIGNETD_PID"
        SIGNETD_PID=
    fi
    stop_smbd
    [ -f "$WORK/signetd/stderr.txt" ] && cat "$WORK/signetd/stderr.txt" >>"$OUT/signetd_stderr.txt"
    [ -f "$WORK/samba/log.smbd" ] && cp "$WORK/samba/log.smbd" "$OUT/samba_log.smbd"
    chmod -R u+w "$WORK" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() { # pick_port EXCLUDE
    local p
    for p in $(seq $PORT_LOW $PORT_HIGH); do
        [ "$p" = "${1:-}" ] && continue
        port_free "$p" && { echo "$p"; return 0; }
    done
    return 1
}

# ---------------------------------------------------------------- the test list
smbtorture --list >"$WORK/list.all" 2>/dev/null
: >"$WORK/tests.txt" # "suite<TAB>test", each test once
declare -A SEEN=()
for s in "${SUITES[@]}"; do
    matched=0
    # A line is PREFIX.TCASE.TEST; for a one-test case TCASE = TEST and the
    # name to run is PREFIX.TCASE (smbtorture accepts the full line too).
    while IFS= read -r line; do
        if [ "$line" != "$s" ] && [ "${line#"$s".}" = "$line" ]; then continue; fi
        matched=$((matched + 1))
        last=${line##*.}
        rest=${line%.*}
        if [ "${rest##*.}" = "$last" ]; then name=$rest; else name=$line; fi
        [ -n "${SEEN[$name]:-}" ] && continue
        SEEN[$name]=1
        printf '%s\t%s\n' "$s" "$name" >>"$WORK/tests.txt"
    done <"$WORK/list.all"
    [ "$matched" -gt 0 ] || echo "warning: no smbtorture test under $s" >&2
done
TOTAL=$(wc -l <"$WORK/tests.txt")
[ "$TOTAL" -gt 0 ] || { echo "no tests to run" >&2; exit 2; }

# earlier Samba results, for --signetd-only
declare -A OLD_SAMBA=() OLD_SAMBA_REASON=()
if [ "$SIGNETD_ONLY" = yes ] && [ -f "$OUT/results.tsv" ]; then
    # (read splits on a non-blank separator: tabs would merge empty fields)
    while IFS=$'\037' read -r t sa sr; do
        OLD_SAMBA[$t]=$sa
        OLD_SAMBA_REASON[$t]=$sr
    done < <(awk -F'\t' 'NR > 1 { print $1 "\037" $2 "\037" $4 }' "$OUT/results.tsv")
    echo "reusing the samba column of $OUT/results.tsv (${#OLD_SAMBA[@]} tests)"
fi

# ---------------------------------------------------------------- signetd
SIGNETD_PORT=$(pick_port) || { echo "no free port in $PORT_LOW-$PORT_HIGH" >&2; exit 2; }
mkdir -p "$WORK/signetd/demo" "$WORK/signetd/noperm"
cp "$SIGNETD_SRC" "$WORK/signetd/signetd"
hash=$(printf '%s' "$USER_PASS" | iconv -t UTF-16LE | openssl dgst -md4 -provider legacy -provider default |
    sed 's/.*= //' | tr a-f A-F)
printf '%s:%s\n' "$USER_NAME" "$hash" >"$WORK/signetd/users"
chmod 600 "$WORK/signetd/users"
cat >"$WORK/signetd/signet.conf" <<CONF
[global]
  listen = 127.0.0.1:$SIGNETD_PORT
  server signing = mandatory
  user database = $WORK/signetd/users
  invalid authentication delay = 0
[demo]
  path = $WORK/signetd/demo
  read only = no
  valid users = $USER_NAME
[noperm]
  path = $WORK/signetd/noperm
  read only = yes
CONF
: >"$OUT/signetd_stderr.txt"
: >"$OUT/events.txt"
SIGNETD_STARTS=0
start_signetd() {
    local log=$WORK/signetd/stderr.txt i
    # keep what the previous instance wrote
    if [ -f "$log" ]; then cat "$log" >>"$OUT/signetd_stderr.txt"; fi
    : >"$log"
    (cd "$WORK/signetd" && exec ./signetd --config signet.conf --foreground 2>"$log" </dev/null) &
    SIGNETD_PID=$!
    SIGNETD_STARTS=$((SIGNETD_STARTS + 1))
    for i in $(seq 100); do grep -q "ready:" "$log" 2>/dev/null && return 0; sleep 0.1; done
    cat "$log" >&2
    echo "signetd did not start" >&2
    exit 1
}
start_signetd

# ---------------------------------------------------------------- Samba
SMBD_PORT=
if [ "$SIGNETD_ONLY" = no ]; then
    SMBD_PORT=$(pick_port "$SIGNETD_PORT") || { echo "no free port in $PORT_LOW-$PORT_HIGH" >&2; exit 2; }
    S=$WORK/samba
    mkdir -p "$S"/{private,lock,state,cache,pid,demo,noperm}
    cat >"$S/smb.conf" <<CONF
[global]
  server role = standalone server
  smb ports = $SMBD_PORT
  interfaces = 127.0.0.1
  bind interfaces only = yes
  disable netbios = yes
  private dir = $S/private
  lock directory = $S/lock
  state directory = $S/state
  cache directory = $S/cache
  pid directory = $S/pid
  log file = $S/log.smbd
  log level = 1
  passdb backend = tdbsam:$S/private/passdb.tdb
  server signing = mandatory
  server min protocol = SMB2_02
  map to guest = never
  load printers = no
  disable spoolss = yes
  printing = bsd
  printcap name = /dev/null
  vfs objects = acl_xattr streams_xattr
  ea support = yes
  store dos attributes = yes
[demo]
  path = $S/demo
  read only = no
[noperm]
  path = $S/noperm
  read only = yes
CONF
    id "$USER_NAME" >/dev/null 2>&1 || useradd -M "$USER_NAME" || { echo "useradd -M $USER_NAME failed" >&2; exit 1; }
    printf '%s\n%s\n' "$USER_PASS" "$USER_PASS" | smbpasswd -c "$S/smb.conf" -s -a "$USER_NAME" >"$S/smbpasswd.out" 2>&1 ||
        { cat "$S/smbpasswd.out" >&2; echo "smbpasswd failed" >&2; exit 1; }
    chown "$USER_NAME" "$S/demo"
    : >"$OUT/samba_log.smbd"
fi
start_smbd() {
    local i
    # Not --no-process-group: smbd -F signals its whole process group when it
    # is stopped, which would then be this script's. Without it, smbd makes
    # its own group, and $! is smbd itself.
    smbd -F -s "$S/smb.conf" </dev/null >>"$S/smbd.out" 2>&1 &
    SMBD_PID=$!
    for i in $(seq 100); do
        kill -0 "$SMBD_PID" 2>/dev/null || break
        port_free "$SMBD_PORT" || return 0
        sleep 0.1
    done
    tail -n 20 "$S/log.smbd" "$S/smbd.out" >&2
    echo "smbd did not start on port $SMBD_PORT" >&2
    exit 1
}
[ "$SIGNETD_ONLY" = no ] && start_smbd

echo "signetd $(realpath "$SIGNETD_SRC") on 127.0.0.1:$SIGNETD_PORT (pid $SIGNETD_PID)"
[ "$SIGNETD_ONLY" = no ] && echo "smbd $(smbd --version 2>/dev/null) on 127.0.0.1:$SMBD_PORT (pid $SMBD_PID)"
echo "$TOTAL tests, up to $TEST_TIMEOUT s each; work dir $WORK; results in $OUT"

# ---------------------------------------------------------------- running one test
# Empty a share between tests by moving what it holds to WORK/trash, where it
# is removed only 10 minutes later. Deleting the files at once would free
# their inodes for the next test's files, and smbd keys its share-mode, lease
# and byte-range records by device and inode: a disconnected durable handle a
# test left behind (kept for its timeout) would then apply to an unrelated
# new file. The share directory itself stays: signetd opens a share's root
# once for its life.
TRASH_SEQ=0
empty_share() { # empty_share DIR
    local dir=$1 now t old b
    printf -v now '%(%s)T' -1
    TRASH_SEQ=$((TRASH_SEQ + 1))
    t=$WORK/trash/$now.$TRASH_SEQ
    mkdir -p "$t"
    find "$dir" -mindepth 1 -maxdepth 1 -exec mv -t "$t" -- {} + ||
        { echo "cannot empty $dir" >&2; exit 1; }
    for old in "$WORK"/trash/*; do
        b=${old##*/}
        if [ "${b%%.*}" -lt $((now - 600)) ]; then
            chmod -R u+rwx "$old" 2>/dev/null
            rm -rf "$old"
        fi
    done
}
logname() { printf '%s' "$1" | tr -c 'A-Za-z0-9._-' '_'; }

# run_torture PORT TEST LOGFILE: sets VERDICT (pass/fail) and REASON
run_torture() {
    local port=$1 t=$2 log=$3 rc
    timeout -k 5 "$TEST_TIMEOUT" smbtorture "//127.0.0.1/demo" -p "$port" -U "$USER_NAME%$USER_PASS" \
        --option=clientsigning=required --option=torture:timelimit=2 --option=torture:nprocs=2 \
        "$t" </dev/null >"$log" 2>&1
    rc=$?
    echo "# exit $rc" >>"$log"
    if grep -q '^success:' "$log" && ! grep -Eq '^(failure|error|skip):' "$log"; then
        VERDICT=pass
        REASON=
    else
        VERDICT=fail
        # the first failure/error/skip line, with its "[ ... ]" detail joined
        REASON=$(awk '
            !found && /^(failure|error|skip):/ { found = 1; r = $0; if ($0 !~ /\[$/) { print r; exit } next }
            found { if ($0 ~ /^\]/) { print r; exit } r = r " " $0; if (length(r) > 400) { print r; exit } }
            END { if (found && r != "") print r }' "$log" | head -n 1)
        if [ -z "$REASON" ] && grep -q '^PANIC (pid' "$log"; then
            # smbtorture itself crashed: the signal and the first frame of its own
            REASON="smbtorture crashed (exit $rc): $(awk '
                /^PANIC \(pid/ { sub(/^PANIC \(pid [0-9]+\): /, ""); sub(/ in [0-9.]+-.*$/, ""); sig = $0 }
                /^ #[0-9]+ / && !fn && match($0, /\([A-Za-z_][A-Za-z0-9_]*\+/) {
                    f = substr($0, RSTART + 1, RLENGTH - 2)
                    if (f !~ /^(log_stack_trace|smb_panic|_start|__libc_start_main|main)$/) fn = f
                }
                END { printf "%s%s", sig, fn ? " in " fn "()" : "" }' "$log")"
        fi
        if [ -z "$REASON" ]; then
            if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
                REASON="timeout: no result within $TEST_TIMEOUT s"
            else
                REASON="no success line (exit $rc): $(grep -Ev '^(# exit|smbtorture |Using seed|time:|test: )' "$log" |
                    grep -v '^[[:space:]]*$' | tail -n 2 | tr '\n' ' ')"
            fi
        fi
    fi
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        HUNG=yes
        [ "$VERDICT" = pass ] || case $REASON in timeout*) ;; *) REASON="timeout after: $REASON" ;; esac
    else
        HUNG=no
    fi
    REASON=$(printf '%s' "$REASON" | tr '\t\r\n' '   ' | sed 's/[[:space:]]\{2,\}/ /g; s/^ //; s/ $//' | cut -c1-200)
}

mkdir -p "$OUT/logs/samba" "$OUT/logs/signetd"
# rows are written as they come, so an interrupted campaign keeps them
RES=$OUT/results.partial.tsv
printf 'test\tsamba\tsignetd\tsamba_reason\tsignetd_reason\n' >"$RES"
i=0
while IFS=$'\t' read -r _ t; do
    i=$((i + 1))
    lf=$(logname "$t").txt
    # Samba
    if [ "$SIGNETD_ONLY" = no ]; then
        empty_share "$S/demo"
        kill -0 "$SMBD_PID" 2>/dev/null || { echo "smbd ($SMBD_PID) died: restarting" | tee -a "$OUT/events.txt"; wait "$SMBD_PID" 2>/dev/null; start_smbd; }
        run_torture "$SMBD_PORT" "$t" "$OUT/logs/samba/$lf"
        sa=$VERDICT sr=$REASON
        [ "$HUNG" = yes ] && echo "$t: smbtorture against Samba hit the ${TEST_TIMEOUT}s timeout" >>"$OUT/events.txt"
        kill -0 "$SMBD_PID" 2>/dev/null || sr="smbd died; $sr"
    else
        sa=${OLD_SAMBA[$t]:--} sr=${OLD_SAMBA_REASON[$t]:-}
    fi
    # signetd
    empty_share "$WORK/signetd/demo"
    before=$(stat -c %s "$WORK/signetd/stderr.txt")
    run_torture "$SIGNETD_PORT" "$t" "$OUT/logs/signetd/$lf"
    si=$VERDICT sir=$REASON
    [ "$HUNG" = yes ] && echo "$t: smbtorture against signetd hit the ${TEST_TIMEOUT}s timeout" >>"$OUT/events.txt"
    new=$(tail -c +"$((before + 1))" "$WORK/signetd/stderr.txt")
    if printf '%s' "$new" | grep -qiE 'AddressSanitizer|LeakSanitizer|runtime error|Sanitizer'; then
        {
            echo "=== $t: sanitizer report in signetd's stderr"
            printf '%s\n' "$new" | grep -iE -A30 'AddressSanitizer|LeakSanitizer|runtime error|Sanitizer' | head -n 80
        } >>"$OUT/events.txt"
        si=fail sir="sanitizer report in signetd stderr; $sir"
    fi
    if ! kill -0 "$SIGNETD_PID" 2>/dev/null; then
        wait "$SIGNETD_PID" 2>/dev/null
        src=$?
        {
            echo "=== $t: signetd died (exit $src); its stderr tail:"
            tail -n 60 "$WORK/signetd/stderr.txt"
        } >>"$OUT/events.txt"
        si=fail sir="signetd died (exit $src); $sir"
        SIGNETD_PID=
        start_signetd
    fi
    sir=$(printf '%s' "$sir" | cut -c1-200)
    sr=$(printf '%s' "$sr" | cut -c1-200)
    printf '%s\t%s\t%s\t%s\t%s\n' "$t" "$sa" "$si" "$sr" "$sir" >>"$RES"
    why=
    if [ "$si" = fail ]; then why="| signetd: $sir"; elif [ "$sa" = fail ]; then why="| samba: $sr"; fi
    printf '[%d/%d] %-56s samba=%-4s signetd=%-4s %s\n' "$i" "$TOTAL" "$t" "$sa" "$si" "$(printf '%s' "$why" | cut -c1-140)"
done <"$WORK/tests.txt"

[ -f "$OUT/results.tsv" ] && mv "$OUT/results.tsv" "$OUT/results.prev.tsv"
mv "$RES" "$OUT/results.tsv"

# signetd's exit: status and what the sanitizers print at exit (leaks)
before=$(stat -c %s "$WORK/signetd/stderr.txt")
kill -TERM "$SIGNETD_PID" 2>/dev/null
wait "$SIGNETD_PID"
src=$?
SIGNETD_PID=
[ "$src" -eq 0 ] || echo "=== signetd exited with status $src on SIGTERM" >>"$OUT/events.txt"
if tail -c +"$((before + 1))" "$WORK/signetd/stderr.txt" | grep -qiE 'Sanitizer|runtime error'; then
    {
        echo "=== sanitizer report at signetd's exit"
        tail -c +"$((before + 1))" "$WORK/signetd/stderr.txt" | head -n 80
    } >>"$OUT/events.txt"
fi

# ---------------------------------------------------------------- the tables
awk -F'\t' 'NR > 1 && $2 == "pass" && $3 != "pass" { print $1 "\t" $5 }' "$OUT/results.tsv" >"$OUT/samba_only.txt"
{
    printf '%-22s %6s %11s %13s %6s %11s %13s\n' suite tests samba_pass signetd_pass both samba_only signetd_only
    awk -F'\t' -v suites="$(cut -f1 "$WORK/tests.txt" | awk '!s[$0]++' | tr '\n' ' ')" '
        FNR == NR { suite[$2] = $1; next }
        FNR == 1 { next }
        {
            s = suite[$1]
            n[s]++; a = ($2 == "pass"); b = ($3 == "pass")
            sp[s] += a; gp[s] += b; bo[s] += a && b; so[s] += a && !b; go[s] += b && !a
        }
        END {
            k = split(suites, order, " ")
            for (i = 1; i <= k; i++) {
                s = order[i]
                printf "%-22s %6d %11d %13d %6d %11d %13d\n", s, n[s], sp[s], gp[s], bo[s], so[s], go[s]
                T += n[s]; A += sp[s]; B += gp[s]; C += bo[s]; D += so[s]; E += go[s]
            }
            printf "%-22s %6d %11d %13d %6d %11d %13d\n", "total", T, A, B, C, D, E
        }' "$WORK/tests.txt" "$OUT/results.tsv"
} >"$OUT/summary.txt"
echo
cat "$OUT/summary.txt"
echo
echo "results: $OUT/results.tsv; Samba passes, signetd does not: $OUT/samba_only.txt ($(wc -l <"$OUT/samba_only.txt") tests)"
[ "$SIGNETD_STARTS" -gt 1 ] && echo "signetd was restarted $((SIGNETD_STARTS - 1)) time(s): see $OUT/events.txt"
[ -s "$OUT/events.txt" ] && echo "events (crashes, hangs, sanitizer reports): $OUT/events.txt"
exit 0
