#!/usr/bin/env bash
# `signet probe` against signetd, checked against nmap's smb2-security-mode:
#
#   127.0.0.5  server signing = mandatory, map to guest = never
#   127.0.0.6  server signing = auto,      map to guest = bad user, guest ok share
#
# on one port in 4700-4799. The signing verdict must equal nmap's; guest is
# granted only on .6 (on .5 signing is mandatory and guests are refused).
#
# usage: tests/interop/probe_signetd.sh [BUILD_DIR]  (or SIGNET=..., SIGNETD=...)
# exit: 0 pass, 1 fail, 77 skipped.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/interop/probe_common.sh
source "$HERE/probe_common.sh"
BUILD=${1:-${BUILD_DIR:-build}}
SIGNETD=${SIGNETD:-$BUILD/tools/signetd}
[ -x "$SIGNETD" ] || { echo "SKIP: no signetd at $SIGNETD"; exit 77; }
for tool in nmap ss /usr/bin/python3; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
SIGNET_BIN=$(find_signet "$BUILD") || exit 1

TMP=$(mktemp -d /tmp/signet-probe-signetd.XXXXXX)
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT

FAILS=0
check() {
    if [ "$2" = "$3" ]; then echo "  ok    $1: $3"
    else echo "  FAIL  $1: expected '$2', got '$3'"; FAILS=$((FAILS + 1)); fi
}

PORT=""
for p in $(seq 4780 4799); do
    if ! ss -ltnH "sport = :$p" | grep -q .; then PORT=$p; break; fi
done
[ -n "$PORT" ] || { echo "no free port in 4780-4799"; exit 1; }

start_signetd() { # start_signetd NAME ADDR SIGNING MAP_TO_GUEST GUEST_OK
    local d=$TMP/$1
    mkdir -p "$d/share"
    printf '[global]\nlisten = %s:%s\nserver signing = %s\nmap to guest = %s\n[share]\npath = %s\nguest ok = %s\n' \
        "$2" "$PORT" "$3" "$4" "$d/share" "$5" >"$d/signet.conf"
    "$SIGNETD" --config "$d/signet.conf" --foreground >"$d/log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 50); do
        ss -ltnH "sport = :$PORT" | grep -q "$2:$PORT" && return 0
        sleep 0.1
    done
    echo "signetd $1 did not start:"; cat "$d/log"; return 1
}
start_signetd mandatory 127.0.0.5 mandatory never no || exit 1
start_signetd guest 127.0.0.6 auto "bad user" yes || exit 1

declare -A WANT_SIGN=([127.0.0.5]=required [127.0.0.6]="not required")
declare -A WANT_GUEST=([127.0.0.5]=refused [127.0.0.6]=granted)
for addr in 127.0.0.5 127.0.0.6; do
    echo "== signetd $addr:$PORT"
    "$SIGNET_BIN" probe "$addr:$PORT" | sed 's/^/    /'
    res=$("$SIGNET_BIN" probe --json "$addr:$PORT" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
print({True: "required", False: "not required", None: "unknown"}[r["signing_required"]] + ";" +
      ("granted" if (r["guest"] or {}).get("granted") else "refused"))')
    out=$(nmap -Pn -n -p "$PORT" --script smb2-security-mode --script-args smbport="$PORT" "$addr")
    echo "$out" | sed -n 's/^|/    nmap |/p'
    if echo "$out" | grep -q "enabled and required"; then nm=required
    elif echo "$out" | grep -q "enabled but not required"; then nm="not required"
    else nm="no verdict"; fi
    check "signet signing verdict" "${WANT_SIGN[$addr]}" "${res%%;*}"
    check "nmap agrees" "${res%%;*}" "$nm"
    check "guest logon" "${WANT_GUEST[$addr]}" "${res##*;}"
done
if [ "$FAILS" -ne 0 ]; then
    echo "FAILED: $FAILS check(s)"
    exit 1
fi
echo PASS
