#!/bin/bash
# Does one client's slow compound stall the other clients? The server issue's
# check: "While one client sends TREE_CONNECT + 63 QUERY_DIRECTORY compounds
# on a 100,000-entry directory, another client's ECHO stays under 50 ms."
#
# signetd used to run any frame holding a TREE_CONNECT whole on its event
# loop: such a compound (each QUERY_DIRECTORY with a pattern that matches
# nothing and SMB2_RESTART_SCANS, so a scan of all 100,000 entries each)
# stalled every client for 3.3 s a frame. The request engine now runs
# QUERY_DIRECTORY on the thread pool; the loop should go on answering.
#
# Client A loads, client B pings (bench/stall_client.py, two processes, two
# connections, two sessions, signing required); signetd and Samba's smbd side
# by side, the same directory (hard links) in both shares, ROUNDS rounds,
# the order flipping every round. Figures are printed, not asserted.
#
#   bench/stall_bench.sh [BUILD_DIR]          (default build-rel, made if missing)
#   ROUNDS=3 DURATION=10 BASELINE=3 NFILES=100000 INTERVAL=10   (the defaults;
#   DURATION and BASELINE in whole seconds, INTERVAL in ms)
#
# Needs root (useradd, smbpasswd), samba and python3-impacket; exits 77
# otherwise, 1 when something failed to run, else 0. Both servers listen on
# 127.0.0.1, ports 4970-4989; every directory is under one temp dir; every
# process started here is stopped by its pid.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
BASELINE=${BASELINE:-3}
NFILES=${NFILES:-100000}
INTERVAL=${INTERVAL:-10}
PY=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for useradd/smbpasswd"; exit 77; }
for t in smbd smbpasswd openssl iconv; do
    command -v $t >/dev/null || { echo "SKIP: $t not installed"; exit 77; }
done
"$PY" -c 'import impacket.smbconnection' 2>/dev/null ||
    { echo "SKIP: impacket (python3-impacket) not installed"; exit 77; }

BUILD=${1:-$ROOT/build-rel}
if [ ! -x "$BUILD/tools/signetd" ]; then
    (cd "$ROOT" && { [ -d "$BUILD" ] || meson setup "$BUILD" -Dbuildtype=release -Dtests=false; } &&
        ninja -C "$BUILD" tools/signetd) >&2 || { echo "FAIL: release build"; exit 1; }
fi
SIGNETD=$(realpath "$BUILD/tools/signetd")
# shellcheck disable=SC1091 # sourced helper, checked on its own
. "$ROOT/tests/interop/client_lib.sh"   # smbd_start / smbd_stop, SMB_USER, SMB_PASS

TMP=$(mktemp -d /tmp/signet-stall-bench-XXXXXX)
chmod 755 "$TMP"
SPID=""
# shellcheck disable=SC2317 # run from the EXIT trap
cleanup() {
    if [ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null; then
        kill "$SPID"
        wait "$SPID" 2>/dev/null
    fi
    SPID=""
    smbd_stop "$TMP/smbd"
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { # first port of 4970-4989 nobody listens on, not in $1
    local p
    for p in $(seq 4970 4989); do
        [ "$p" = "${1:-}" ] && continue
        if ! (exec 3<>/dev/tcp/127.0.0.1/"$p") 2>/dev/null; then echo "$p"; return 0; fi
    done
    return 1
}

# ---- Samba smbd ----
APORT=$(free_port) || { echo "FAIL: no free port in 4970-4989"; exit 1; }
smbd_start "$TMP/smbd" "$APORT" mandatory >/dev/null 2>&1 ||
    { echo "FAIL: smbd did not start (see $TMP/smbd/log.smbd)"; exit 1; }
APID=$(cat "$TMP/smbd/pid/smbd.pid")

# ---- signetd ----
SPORT=$(free_port "$APORT") || { echo "FAIL: no second free port in 4970-4989"; exit 1; }
mkdir -p "$TMP/signetd/share"
HASH=$(printf '%s' "$SMB_PASS" | iconv -t UTF-16LE | openssl dgst -md4 -provider legacy -provider default |
    sed 's/.*= //' | tr a-f A-F)
printf '%s:%s\n' "$SMB_USER" "$HASH" >"$TMP/signetd/users"
chmod 600 "$TMP/signetd/users"
cat >"$TMP/signetd/signet.conf" <<CONF
[global]
  listen = 127.0.0.1:$SPORT
  server signing = mandatory
  user database = $TMP/signetd/users
  invalid authentication delay = 0
  admin socket = $TMP/signetd/admin.sock
[share]
  path = $TMP/signetd/share
  read only = no
  valid users = $SMB_USER
CONF
"$SIGNETD" --config "$TMP/signetd/signet.conf" --foreground 2>"$TMP/signetd/stderr.txt" &
SPID=$!
for _ in $(seq 50); do grep -q "ready:" "$TMP/signetd/stderr.txt" 2>/dev/null && break; sleep 0.1; done
grep -q "ready:" "$TMP/signetd/stderr.txt" ||
    { cat "$TMP/signetd/stderr.txt"; echo "FAIL: signetd did not start"; exit 1; }

# ---- the directory: NFILES empty files in Samba's share, hard-linked into signetd's ----
LAST=$(printf 'f%06d' "$((NFILES - 1))")
t0=$(date +%s.%N)
"$PY" - "$TMP/smbd/share/big" "$TMP/signetd/share/big" "$NFILES" <<'PY' ||
import os, sys
a, b, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.mkdir(a, 0o755)
os.mkdir(b, 0o755)
for i in range(n):
    name = 'f%06d' % i
    os.close(os.open(os.path.join(a, name), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    os.link(os.path.join(a, name), os.path.join(b, name))
PY
    { echo "FAIL: could not create the $NFILES files"; exit 1; }
sync -f "$TMP"
t1=$(date +%s.%N)
for d in "$TMP/smbd/share/big" "$TMP/signetd/share/big"; do
    n=$(find "$d" -mindepth 1 -maxdepth 1 -type f | wc -l)
    [ "$n" = "$NFILES" ] || { echo "FAIL: $d holds $n files, not $NFILES"; exit 1; }
done

echo "signetd: $SIGNETD on 127.0.0.1:$SPORT (pid $SPID), signing mandatory"
echo "smbd $(smbd --version | sed 's/^Version //') on 127.0.0.1:$APORT (pid $APID), signing mandatory"
printf '%s CPUs, load average %s; directory big/ with %d empty files in each share (made in %.1f s)\n' \
    "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$NFILES" "$(awk "BEGIN {print $t1 - $t0}")"
echo "rounds $ROUNDS; each: B alone ${BASELINE} s, then A's load ${DURATION} s with B's ECHO every ${INTERVAL} ms"
echo

# ---- the rounds ----
mkdir "$TMP/results"
declare -A PORT_OF=([samba]=$APORT [signet]=$SPORT)
FAIL=0
one_round() { # round who
    local r=$1 who=$2
    if ! PYTHONDONTWRITEBYTECODE=1 timeout $((DURATION * 20 + 600)) "$PY" "$HERE/stall_client.py" \
        round --port "${PORT_OF[$who]}" --user "$SMB_USER" --password "$SMB_PASS" --share share \
        --label "$who" --round "$r" --dir big --last-name "$LAST" --seconds "$DURATION" \
        --baseline "$BASELINE" --interval "$INTERVAL" --out "$TMP/results/$r.$who.json" \
        2>"$TMP/err.txt"; then
        echo "round $r $who FAILED: $(tail -n 3 "$TMP/err.txt" | tr '\n' ' ')"
        FAIL=1
    fi
}
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then
        one_round "$r" samba; one_round "$r" signet
    else
        one_round "$r" signet; one_round "$r" samba
    fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- signetd still alive, and anything it complained about ----
if ! kill -0 "$SPID" 2>/dev/null; then
    echo "FAIL: signetd is gone"; wait "$SPID"; echo "exit status $?"; FAIL=1; SPID=""
fi
nwarn=$(grep -cE '^signetd\[[0-9]+\]: (error|warning):' "$TMP/signetd/stderr.txt")
echo "signetd log: $nwarn error/warning line(s)"
grep -E '^signetd\[[0-9]+\]: (error|warning):' "$TMP/signetd/stderr.txt" | head -n 5
S_STATUS=$(grep "logged on '$SMB_USER'" "$TMP/signetd/stderr.txt" | tail -n 1 | sed 's/^.*: SMB /SMB /')
[ -n "$S_STATUS" ] && echo "signetd log, last logon: $S_STATUS"

# ---- the table ----
if ls "$TMP"/results/*.json >/dev/null 2>&1; then
    PYTHONDONTWRITEBYTECODE=1 "$PY" "$HERE/stall_client.py" report --target signet \
        "$TMP"/results/*.json || FAIL=1
else
    echo "FAIL: no round finished"
    FAIL=1
fi
exit $FAIL
