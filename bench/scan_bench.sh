#!/usr/bin/env bash
# Rate of `signet scan` (hosts per second) over 1,000 loopback targets, most
# of them closed, four of them Samba smbd (mandatory, auto, guest, auto);
# nmap's smb2-security-mode over the same targets as the reference.
#
#   targets: 127.0.1.0/24 127.0.2.0/24 127.0.3.0/24 127.0.4.0-231 (1,000)
#   open:    127.0.1.10 127.0.2.20 127.0.3.30 127.0.4.40, one port in 4700-4799
#
# Only 127.0.0.0/8 is touched. Use a release build (sanitizers distort time):
#   meson setup build-rel -Dbuildtype=release -Dtests=false
#   ninja -C build-rel tools/signet
#   bench/scan_bench.sh build-rel      (or SIGNET=path/to/signet)
# NMAP=0 skips the nmap reference run.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/interop/probe_common.sh
source "$HERE/../tests/interop/probe_common.sh"
command -v smbd >/dev/null || { echo "SKIP: smbd not installed"; exit 77; }
SIGNET_BIN=$(find_signet "${1:-}") || exit 1

PROBE_TMP=$(mktemp -d /tmp/signet-scan-bench.XXXXXX)
trap 'stop_all_smbd; rm -rf "$PROBE_TMP"' EXIT

PORT=""
for p in $(seq 4760 4799); do
    if ! ss -ltnH "sport = :$p" | grep -q .; then PORT=$p; break; fi
done
[ -n "$PORT" ] || { echo "no free port in 4760-4799"; exit 1; }
start_smbd m 127.0.1.10 "$PORT" mandatory no || exit 1
start_smbd a 127.0.2.20 "$PORT" auto no || exit 1
start_smbd g 127.0.3.30 "$PORT" disabled yes || exit 1
start_smbd b 127.0.4.40 "$PORT" auto no || exit 1

TARGETS=(127.0.1.0/24 127.0.2.0/24 127.0.3.0/24 127.0.4.0-231)
printf '%s\n' "${TARGETS[@]}" >"$PROBE_TMP/targets.txt"
echo "signet: $SIGNET_BIN; 1000 targets, 4 smbd on port $PORT; $(nproc) CPUs"
printf '%-34s %8s %10s %10s %s\n' "run" "hosts" "seconds" "hosts/s" "open/relay"

run_signet() { # run_signet CONCURRENCY TIMEOUT [PORT]
    local t0 t1 rows port=${3:-$PORT}
    t0=$(date +%s.%N)
    "$SIGNET_BIN" scan "${TARGETS[@]}" --port "$port" --csv --concurrency "$1" --timeout "$2" \
        --relay-list "$PROBE_TMP/relay.txt" >"$PROBE_TMP/scan.csv" 2>/dev/null
    t1=$(date +%s.%N)
    rows=$(grep -vc '^host,' "$PROBE_TMP/scan.csv")
    local open relay
    open=$(grep -c ',yes,' "$PROBE_TMP/scan.csv")
    relay=$(wc -l <"$PROBE_TMP/relay.txt")
    printf '%-34s %8d %10.3f %10.0f %s\n' "signet scan -c $1${3:+ (closed port)}" "$rows" \
        "$(echo "$t1 - $t0" | bc)" "$(echo "$rows / ($t1 - $t0)" | bc -l)" "$open/$relay"
    SIGNET_RATE=$(echo "$rows / ($t1 - $t0)" | bc -l)
}

# The same 1,000 targets on a port nobody listens on: the cost of a closed
# address alone (connection refused at once).
CLOSED=""
for p in $(seq 4799 -1 4700); do
    if ! ss -ltnH "sport = :$p" | grep -q .; then CLOSED=$p; break; fi
done
for _ in 1 2 3; do run_signet 256 3 "$CLOSED"; done
# With the four servers: the wall time is the slowest open host's probe
# (6 connections on which smbd forks, plus 2 logons, one after the other).
for c in 64 256 1000; do
    run_signet "$c" 3
done
for _ in 1 2; do run_signet 256 3; done

if [ "${NMAP:-1}" != 0 ] && command -v nmap >/dev/null; then
    t0=$(date +%s.%N)
    nmap -Pn -n -p "$PORT" --script smb2-security-mode --script-args smbport="$PORT" \
        -oN "$PROBE_TMP/nmap.txt" "${TARGETS[@]}" >/dev/null 2>&1
    t1=$(date +%s.%N)
    open=$(grep -c "^$PORT/tcp open" "$PROBE_TMP/nmap.txt")
    nrows=1000
    rate=$(echo "$nrows / ($t1 - $t0)" | bc -l)
    printf '%-34s %8d %10.3f %10.0f %s\n' "nmap smb2-security-mode" "$nrows" \
        "$(echo "$t1 - $t0" | bc)" "$rate" "$open/-"
    printf 'ratio signet/nmap (hosts/s, last signet run): %.1f\n' \
        "$(echo "$SIGNET_RATE / $rate" | bc -l)"
fi
