#!/usr/bin/env bash
# `signet probe` and `signet scan` against three real Samba servers, checked
# against nmap's smb2-security-mode (../shared/peers.md).
#
#   127.0.0.2  server signing = mandatory, map to guest = never
#   127.0.0.3  server signing = auto,      map to guest = never, SMB1 allowed
#   127.0.0.4  server signing = disabled,  map to guest = bad user, guest ok share
#
# all on one port in 4700-4799. Checks, per server: the signing verdict of
# `signet probe` equals nmap's ("required" vs "enabled but not required"),
# the guest verdict (granted only on .4), SMB1 (only on .3); then a scan of
# 127.0.0.1-127.0.0.40: 3 rows reachable with those verdicts, 37 unreachable,
# and --relay-list holding exactly .3 and .4. Only loopback is touched.
#
# usage: tests/interop/probe_samba.sh [BUILD_DIR]   (or SIGNET=path/to/signet)
# exit: 0 pass, 1 fail, 77 skipped (no smbd, nmap or python3).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/interop/probe_common.sh
source "$HERE/probe_common.sh"

for tool in smbd nmap ss /usr/bin/python3; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
SIGNET_BIN=$(find_signet "${1:-}") || exit 1
PY=/usr/bin/python3

PROBE_TMP=$(mktemp -d /tmp/signet-probe-interop.XXXXXX)
cleanup() {
    stop_all_smbd
    rm -rf "$PROBE_TMP"
}
trap cleanup EXIT

FAILS=0
check() { # check DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        echo "  ok    $1: $3"
    else
        echo "  FAIL  $1: expected '$2', got '$3'"
        FAILS=$((FAILS + 1))
    fi
}

# A port in 4700-4799 free on all three addresses.
PORT=""
for p in $(seq 4740 4799); do
    if ! ss -ltnH "sport = :$p" | grep -q .; then PORT=$p; break; fi
done
[ -n "$PORT" ] || { echo "no free port in 4740-4799"; exit 1; }

start_smbd mandatory 127.0.0.2 "$PORT" mandatory no SMB2_02 || exit 1
start_smbd auto 127.0.0.3 "$PORT" auto no NT1 || exit 1
start_smbd guest 127.0.0.4 "$PORT" disabled yes SMB2_02 || exit 1
echo "signet: $SIGNET_BIN; smbd on 127.0.0.2-4 port $PORT (pids ${SMBD_PIDS[*]})"

# Fields of `signet probe --json`.
probe_fields() {
    "$PY" -c '
import json, sys
r = json.load(sys.stdin)
req = {True: "required", False: "not required", None: "unknown"}[r["signing_required"]]
guest = "granted" if (r["guest"] or {}).get("granted") else "refused"
smb1 = "yes" if r["smb1"] else "no"
print(req, guest, smb1, r["max_dialect"])'
}

# nmap's verdict: "required", "not required", or what it printed.
nmap_verdict() {
    local addr=$1 out
    out=$(nmap -Pn -n -p "$PORT" --script smb2-security-mode --script-args smbport="$PORT" \
          "$addr" 2>&1)
    echo "$out" | sed -n 's/^|/    nmap |/p' >&2
    if echo "$out" | grep -q "Message signing enabled and required"; then echo required
    elif echo "$out" | grep -q "Message signing enabled but not required"; then echo "not required"
    else echo "no verdict"; fi
}

declare -A WANT_SIGN=([127.0.0.2]=required [127.0.0.3]="not required" [127.0.0.4]="not required")
declare -A WANT_GUEST=([127.0.0.2]=refused [127.0.0.3]=refused [127.0.0.4]=granted)
declare -A WANT_SMB1=([127.0.0.2]=no [127.0.0.3]=yes [127.0.0.4]=no)

for addr in 127.0.0.2 127.0.0.3 127.0.0.4; do
    echo "== $addr:$PORT"
    "$SIGNET_BIN" probe "$addr:$PORT" | sed 's/^/    /'
    json=$("$SIGNET_BIN" probe --json "$addr:$PORT")
    read -r sign guest smb1 maxd <<<"$(echo "$json" | probe_fields | sed 's/not required/not_required/')"
    sign=${sign/not_required/not required}
    nm=$(nmap_verdict "$addr")
    check "signet signing verdict" "${WANT_SIGN[$addr]}" "$sign"
    check "nmap smb2-security-mode agrees" "$sign" "$nm"
    check "guest logon" "${WANT_GUEST[$addr]}" "$guest"
    check "SMB1" "${WANT_SMB1[$addr]}" "$smb1"
    check "highest dialect" "3.1.1" "$maxd"
done

echo "== scan 127.0.0.1-127.0.0.40 port $PORT"
RELAY=$PROBE_TMP/relay.txt
"$SIGNET_BIN" scan 127.0.0.1-127.0.0.40 --port "$PORT" --csv --timeout 2 --relay-list "$RELAY" \
    >"$PROBE_TMP/scan.csv" 2>"$PROBE_TMP/scan.err"
check "scan exit status" 0 $?
sed 's/^/    /' "$PROBE_TMP/scan.err"
sort -t, -k2,2V "$PROBE_TMP/scan.csv" | grep -v '^host,' | grep ',yes,' | sed 's/^/    /'
check "rows" 40 "$(grep -vc '^host,' "$PROBE_TMP/scan.csv")"
check "unreachable rows" 37 "$(grep -c ',no,,,,,,,,,,,STATUS_CONNECTION_REFUSED$' "$PROBE_TMP/scan.csv")"
row() { grep "^$1," "$PROBE_TMP/scan.csv" | cut -d, -f4,5,7,8,10; }
# reachable,smb1,max_dialect,signing_required,guest
check "row 127.0.0.2" "yes,no,3.1.1,yes,no" "$(row 127.0.0.2)"
check "row 127.0.0.3" "yes,yes,3.1.1,no,no" "$(row 127.0.0.3)"
check "row 127.0.0.4" "yes,no,3.1.1,no,yes" "$(row 127.0.0.4)"
check "relay list" "127.0.0.3 127.0.0.4" "$(sort -V "$RELAY" | tr '\n' ' ' | sed 's/ $//')"

echo "== scan --json of a target file and a CIDR block"
printf '# two of the servers\n127.0.0.2\n127.0.0.4  # guest\n' >"$PROBE_TMP/targets.txt"
"$SIGNET_BIN" scan "@$PROBE_TMP/targets.txt" 127.0.0.0/28 --port "$PORT" --json --timeout 2 \
    >"$PROBE_TMP/scan.json" 2>/dev/null
summary=$("$PY" -c '
import json, sys
rows = json.load(open(sys.argv[1]))
up = sorted(r["host"] for r in rows if r["reachable"])
print(len(rows), " ".join(up), sum(1 for r in rows if r["guest"]))' "$PROBE_TMP/scan.json")
check "json rows, reachable hosts, guests" \
    "18 127.0.0.2 127.0.0.2 127.0.0.3 127.0.0.4 127.0.0.4 2" "$summary"

if [ "$FAILS" -ne 0 ]; then
    echo "FAILED: $FAILS check(s)"
    exit 1
fi
echo "PASS"
