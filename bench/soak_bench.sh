#!/bin/bash
# signetd soaked (issue 13): many signed sessions for a long time, and very
# many held at once, with signetd's RSS sampled every 5 s.
#  1. work: WORK_SESSIONS (default 200) signed SMB 3.1.1 sessions, each
#     looping create + 64 KiB write + read back (compared) + close + delete
#     of its own file, for WORK_SECONDS (default 600);
#  2. hold: HOLD_SESSIONS (default 10000) signed sessions logged on and
#     tree-connected at once, held HOLD_SECONDS (default 60), each answering
#     an ECHO every 30 s.
# Prints the load's own lines, then a table: per phase the loops or sessions,
# errors, the slowest loop, and signetd's RSS before, at its peak and after.
#
#   bench/soak_bench.sh [BUILD_DIR]      (default build-rel; built if missing)
#
# signetd listens on 127.0.0.1, a free port in 4190-4199; everything is under
# one temp dir; every process started here is stopped by its pid.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${1:-$ROOT/build-rel}
WORK_SESSIONS=${WORK_SESSIONS:-200}
WORK_SECONDS=${WORK_SECONDS:-600}
HOLD_SESSIONS=${HOLD_SESSIONS:-10000}
HOLD_SECONDS=${HOLD_SECONDS:-60}
if [ ! -x "$BUILD/tools/signetd" ] || [ ! -x "$BUILD/bench/soak_client" ]; then
    (cd "$ROOT" && { [ -d "$BUILD" ] || meson setup "$BUILD" -Dbuildtype=release -Dtests=false; } &&
        ninja -C "$BUILD" tools/signetd bench/soak_client) >&2 || { echo "FAIL: release build"; exit 1; }
fi
SIGNETD=$(realpath "$BUILD/tools/signetd")
CLIENT=$(realpath "$BUILD/bench/soak_client")

TMP=$(mktemp -d /tmp/signet-soak-XXXXXX)
SPID="" SAMPLER=""
cleanup() {
    for p in $SAMPLER $SPID; do
        kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=
for p in $(seq 4190 4199); do
    if ! (exec 3<>/dev/tcp/127.0.0.1/"$p") 2>/dev/null; then PORT=$p; break; fi
done
[ -n "$PORT" ] || { echo "FAIL: no free port in 4190-4199"; exit 1; }
mkdir "$TMP/share"
PASS=soak-$RANDOM$RANDOM
HASH=$(printf '%s' "$PASS" | iconv -t UTF-16LE | openssl dgst -md4 -provider legacy -provider default |
    sed 's/.*= //' | tr a-f A-F)
printf 'soak:%s\n' "$HASH" >"$TMP/users"
chmod 600 "$TMP/users"
cat >"$TMP/signet.conf" <<CONF
[global]
  listen = 127.0.0.1:$PORT
  server signing = mandatory
  user database = $TMP/users
  invalid authentication delay = 0
  max connections = $((HOLD_SESSIONS + 100))
[share]
  path = $TMP/share
  read only = no
CONF
ulimit -n "$(ulimit -Hn)"
"$SIGNETD" --config "$TMP/signet.conf" --foreground 2>"$TMP/stderr.txt" &
SPID=$!
for _ in $(seq 50); do grep -q "ready:" "$TMP/stderr.txt" 2>/dev/null && break; sleep 0.1; done
grep -q "ready:" "$TMP/stderr.txt" || { cat "$TMP/stderr.txt"; echo "FAIL: signetd did not start"; exit 1; }

rss() { awk '/^VmRSS:/ {print $2}' /proc/"$SPID"/status 2>/dev/null; }
# one "seconds rss_kib" line every 5 s into $TMP/rss
(
    t0=$(date +%s)
    while kill -0 "$SPID" 2>/dev/null; do
        echo "$(($(date +%s) - t0)) $(rss)"
        sleep 5
    done
) >"$TMP/rss" &
SAMPLER=$!
peak_since() { # line number: the highest RSS sampled from there on
    tail -n +"$1" "$TMP/rss" | awk '$2 > m {m = $2} END {print m + 0}'
}

phase() { # name mode sessions seconds
    local name=$1 before line rc after peak
    before=$(rss)
    line=$(($(wc -l <"$TMP/rss") + 1))
    echo "== $name: $3 sessions, $4 s"
    "$CLIENT" "$2" 127.0.0.1 "$PORT" share soak "$PASS" "$3" "$4" | tee "$TMP/$name.out"
    rc=${PIPESTATUS[0]}
    sleep 6
    after=$(rss)
    peak=$(peak_since "$line")
    [ "$(rss)" -gt "$peak" ] && peak=$(rss)
    RESULT[$name]="$before $peak $after $rc"
}
declare -A RESULT
phase work work "$WORK_SESSIONS" "$WORK_SECONDS"
phase hold hold "$HOLD_SESSIONS" "$HOLD_SECONDS"

alive=yes
kill -0 "$SPID" 2>/dev/null || alive="NO (exit status: $(wait "$SPID"; echo $?))"
echo
echo "signetd still running: $alive; its log: $(grep -cE ': (error|warning):' "$TMP/stderr.txt") error/warning lines"
grep -E ': (error|warning):' "$TMP/stderr.txt" | sort | uniq -c | sort -rn | head -n 5
echo
printf '%-6s %9s %8s %8s %13s %13s %13s\n' phase sessions result errors "RSS before MiB" "RSS peak MiB" "RSS after MiB"
for name in work hold; do
    read -r before peak after rc <<<"${RESULT[$name]}"
    if [ "$name" = work ]; then
        last=$(tail -n 1 "$TMP/work.out")
        res=$(echo "$last" | sed -n 's/.*: \([0-9]*\) loops.*/\1 loops/p')
        err=$(echo "$last" | sed -n 's/.* \([0-9]*\) errors.*/\1/p')
        slow=$(echo "$last" | sed -n 's/.*slowest \(.*\)/slowest \1/p')
        n=$WORK_SESSIONS
    else
        res=$(sed -n 's/^held \([0-9]*\) sessions.*/\1 held/p' "$TMP/hold.out")
        err=$(sed -n 's/^held [0-9]* sessions (\([0-9]*\) failed).*/\1/p' "$TMP/hold.out")
        slow=$(tail -n 1 "$TMP/hold.out")
        n=$HOLD_SESSIONS
    fi
    printf '%-6s %9s %8s %8s %13.1f %13.1f %13.1f   %s\n' "$name" "$n" "${res%% *}" "${err:-?}" \
        "$(echo "$before / 1024" | bc -l)" "$(echo "$peak / 1024" | bc -l)" \
        "$(echo "$after / 1024" | bc -l)" "$slow"
done
[ "$alive" = yes ] && [ "${RESULT[work]##* }" = 0 ] && [ "${RESULT[hold]##* }" = 0 ]
