#!/bin/bash
# `signet get` against `smbclient get` of the same 1 GiB file from the same
# Samba smbd, signing required (AES-128-GMAC), alternating in one run.
#
#   bench/client_get_bench.sh [BUILD_DIR]     (default build-rel; SIGNET=path overrides)
#   ROUNDS=5 (rounds of one get each, after one untimed warm-up of each)
#
# Without BUILD_DIR/tools/signet the release build is made first:
#   meson setup build-rel -Dbuildtype=release -Dtests=false
#   ninja -C build-rel tools/signet
# Needs root (useradd, smbpasswd), samba and smbclient; exits 77 otherwise.
# One smbd on 127.0.0.1, a port in 4560-4569, every directory under a temp
# dir, `server signing = mandatory`, `server smb3 signing algorithms =
# AES-128-GMAC`. Both clients write to /dev/null. Each get is timed with
# CLOCK_MONOTONIC around the client process (start-up, connect, logon and
# tree connect included: a few ms against ~1 s); client CPU is user+sys of
# the client process (smbd's own CPU is the same server for both).
# Before timing, both clients' sessions are checked to be signed with
# AES-128-GMAC: `signet -v`, and `smbstatus -b` while each session is open.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
ROUNDS=${ROUNDS:-5}
SIZE=$((1024 * 1024 * 1024))
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for useradd/smbpasswd"; exit 77; }
for t in smbd smbclient smbstatus; do
    command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done

if [ -z "${SIGNET:-}" ]; then
    BUILD=${1:-$ROOT/build-rel}
    if [ ! -x "$BUILD/tools/signet" ]; then
        (cd "$ROOT" && { [ -d "$BUILD" ] || meson setup "$BUILD" -Dbuildtype=release -Dtests=false; } &&
            ninja -C "$BUILD" tools/signet) >&2 || { echo "FAIL: release build"; exit 1; }
    fi
    SIGNET=$BUILD/tools/signet
fi
[ -x "$SIGNET" ] || { echo "FAIL: no signet at $SIGNET"; exit 1; }
. "$ROOT/tests/interop/client_lib.sh"

TMP=$(mktemp -d /tmp/signet-get-bench-XXXXXX)
chmod 755 "$TMP"
cleanup() {
    smbd_stop "$TMP/smbd"
    rm -rf "$TMP"
}
trap cleanup EXIT

PORT=""
for p in $(seq 4560 4569); do
    if ! (exec 3<>/dev/tcp/127.0.0.1/"$p") 2>/dev/null; then PORT=$p; break; fi
done
[ -n "$PORT" ] || { echo "FAIL: no free port in 4560-4569"; exit 1; }
smbd_start "$TMP/smbd" "$PORT" mandatory "  server smb3 signing algorithms = AES-128-GMAC" \
    >/dev/null 2>&1 || { echo "FAIL: smbd did not start (see $TMP/smbd/log.smbd)"; exit 1; }
CONF=$TMP/smbd/smb.conf
FILE=big.bin
head -c "$SIZE" /dev/urandom >"$TMP/smbd/share/$FILE"
chmod 644 "$TMP/smbd/share/$FILE"
URL=//127.0.0.1/share
AUTH="$SMB_USER%$SMB_PASS"

# shellcheck disable=SC2034 # used through a nameref in one()
SIGNET_CMD=("$SIGNET" get "//127.0.0.1:$PORT/share/$FILE" /dev/null -U "$AUTH")
# shellcheck disable=SC2034
SMBCLIENT_CMD=(smbclient "$URL" -p "$PORT" -U "$AUTH" -m SMB3_11 --client-protection=sign
    -c "get $FILE /dev/null")

# run_timed OUT CMD...: runs CMD, writes "seconds cpu_seconds rc" to OUT
run_timed() {
    local out=$1
    shift
    BENCH_STDOUT=$TMP/stdout "$PY" - "$@" >"$out" <<'PY'
import os, subprocess, sys, time
r0 = os.times()
t0 = time.clock_gettime(time.CLOCK_MONOTONIC)
with open(os.environ["BENCH_STDOUT"], "wb") as out:
    p = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=out,
                       stderr=subprocess.STDOUT)
t1 = time.clock_gettime(time.CLOCK_MONOTONIC)
r1 = os.times()
cpu = (r1.children_user - r0.children_user) + (r1.children_system - r0.children_system)
print(f"{t1 - t0:.6f} {cpu:.3f} {p.returncode}")
PY
}

# ---- signing check: both sessions are signed with AES-128-GMAC ----
session_status() { # who: the smbstatus -b line of our user while a session is open
    smbstatus -s "$CONF" -b 2>/dev/null | grep -E "^[0-9]+ +$SMB_USER " | head -n 1
}
(sleep 2; echo x) | "$SIGNET" -v put "//127.0.0.1:$PORT/share/probe.txt" - -U "$AUTH" \
    2>"$TMP/signet-v.err" &
spid=$!
sleep 1
S_STATUS=$(session_status)
wait "$spid"
S_V=$(grep '^SMB ' "$TMP/signet-v.err")
(sleep 2; echo quit) | smbclient "$URL" -p "$PORT" -U "$AUTH" -m SMB3_11 \
    --client-protection=sign >/dev/null 2>&1 &
cpid=$!
sleep 1
C_STATUS=$(session_status)
wait "$cpid"
echo "signet: $SIGNET"
echo "smbd $(smbd --version | sed 's/^Version //') on 127.0.0.1:$PORT; $(nproc) CPUs; file $FILE, $SIZE bytes; rounds: $ROUNDS"
echo "signet -v:            $S_V"
echo "smbstatus (signet):   $S_STATUS"
echo "smbstatus (smbclient): $C_STATUS"
ok=1
[ "$S_V" = "SMB 3.1.1, signed with AES-128-GMAC, not encrypted, user WORKGROUP\\$SMB_USER" ] ||
    { echo "FAIL: signet -v does not say SMB 3.1.1 signed with AES-128-GMAC"; ok=0; }
echo "$S_STATUS" | grep -qE " SMB3_11 +[^ ]+ +AES-128-GMAC *$" ||
    { echo "FAIL: smbstatus does not show signet's session signed with AES-128-GMAC"; ok=0; }
echo "$C_STATUS" | grep -qE " SMB3_11 +[^ ]+ +AES-128-GMAC *$" ||
    { echo "FAIL: smbstatus does not show smbclient's session signed with AES-128-GMAC"; ok=0; }
[ "$ok" = 1 ] || exit 1

# ---- warm-up (page cache, smbd fork paths), untimed: both gets to tmpfs,
# compared with the source, so the timed gets to /dev/null move real data ----
SHM=$(mktemp /dev/shm/signet-get-bench-XXXXXX)
trap 'rm -f "$SHM"; cleanup' EXIT
"$SIGNET" get "//127.0.0.1:$PORT/share/$FILE" "$SHM" -U "$AUTH" &&
    cmp -s "$SHM" "$TMP/smbd/share/$FILE" || { echo "FAIL: signet get to tmpfs is not the file"; exit 1; }
rm -f "$SHM"
smbclient "$URL" -p "$PORT" -U "$AUTH" -m SMB3_11 --client-protection=sign \
    -c "get $FILE $SHM" >/dev/null 2>&1 &&
    cmp -s "$SHM" "$TMP/smbd/share/$FILE" || { echo "FAIL: smbclient get to tmpfs is not the file"; exit 1; }
rm -f "$SHM"
echo "warm-up: both clients fetched the file to tmpfs byte-exact"

# ---- alternating rounds; the order flips every round ----
printf '\n%-6s %-10s %10s %10s %10s %14s\n' round client seconds MB/s "cpu s" "own report"
S_MBS=()
C_MBS=()
S_CPU=()
C_CPU=()
fail=0
one() { # round name array-name
    local r=$1 name=$2
    local -n cmd=$3
    run_timed "$TMP/t" "${cmd[@]}"
    local secs cpu rc mbs
    read -r secs cpu rc <"$TMP/t"
    mbs=$(echo "$SIZE / $secs / 1000000" | bc -l)
    # smbclient prints its own rate for the transfer alone (KiloBytes = 1024 B)
    local own
    own=$(sed -n 's/.*(\([0-9.]*\) KiloBytes\/sec) (average.*/\1/p' "$TMP/stdout" | head -n 1)
    [ -n "$own" ] && own=$(printf '%.1f MB/s' "$(echo "$own * 1024 / 1000000" | bc -l)")
    printf '%-6s %-10s %10.3f %10.1f %10.2f %14s%s\n' "$r" "$name" "$secs" "$mbs" "$cpu" \
        "${own:--}" "$([ "$rc" = 0 ] || echo "  FAILED (exit $rc)")"
    [ "$rc" = 0 ] || fail=1
    if [ "$name" = signet ]; then S_MBS+=("$mbs"); S_CPU+=("$cpu"); else C_MBS+=("$mbs"); C_CPU+=("$cpu"); fi
}
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then
        one "$r" signet SIGNET_CMD
        one "$r" smbclient SMBCLIENT_CMD
    else
        one "$r" smbclient SMBCLIENT_CMD
        one "$r" signet SIGNET_CMD
    fi
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
SM=$(median "${S_MBS[@]}")
CM=$(median "${C_MBS[@]}")
SC=$(median "${S_CPU[@]}")
CC=$(median "${C_CPU[@]}")
printf '\n%-28s %10s %10s\n' "median" "MB/s" "cpu s"
printf '%-28s %10.1f %10.2f\n' "signet get" "$SM" "$SC"
printf '%-28s %10.1f %10.2f\n' "smbclient get" "$CM" "$CC"
printf '%-28s %10.3f\n' "ratio signet/smbclient" "$(echo "$SM / $CM" | bc -l)"
echo "target: ratio >= 1.0 (signet at least as fast as smbclient)"
exit $fail
