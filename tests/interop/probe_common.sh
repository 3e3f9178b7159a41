# shellcheck shell=bash
# Shared by tests/interop/probe_*.sh and bench/scan_bench.sh: standalone
# Samba smbd instances on loopback, each in its own temporary directory
# (../shared/peers.md). Only 127.0.0.0/8 addresses and ports 4700-4799.
# Source it, set PROBE_TMP to a fresh directory, call start_smbd, and call
# stop_all_smbd from an EXIT trap: it stops each smbd by the pid it started.

SMBD_PIDS=()

# The signet binary: $SIGNET, else the `signet` tool of the build directory
# given (or $BUILD_DIR).
find_signet() {
    local build=${1:-${BUILD_DIR:-build}}
    if [ -n "${SIGNET:-}" ]; then echo "$SIGNET"; return; fi
    if [ -x "$build/tools/signet" ]; then echo "$build/tools/signet"; return; fi
    echo "no $build/tools/signet: build first, or set SIGNET" >&2
    return 1
}

# start_smbd NAME ADDR PORT SIGNING(mandatory|auto|disabled) GUEST(yes|no) MINPROTO
start_smbd() {
    local name=$1 addr=$2 port=$3 signing=$4 guest=$5 minproto=${6:-SMB2_02}
    case "$addr" in 127.*) ;; *) echo "refusing non-loopback address $addr" >&2; return 1;; esac
    if [ "$port" -lt 4700 ] || [ "$port" -gt 4799 ]; then
        echo "refusing port $port outside 4700-4799" >&2; return 1
    fi
    local d=$PROBE_TMP/$name
    mkdir -p "$d"/{private,lock,state,cache,pid,share}
    local map=never guestok=no
    if [ "$guest" = yes ]; then map="bad user"; guestok=yes; fi
    cat >"$d/smb.conf" <<CONF
[global]
  server role = standalone server
  smb ports = $port
  interfaces = $addr/8
  bind interfaces only = yes
  disable netbios = yes
  private dir = $d/private
  lock directory = $d/lock
  state directory = $d/state
  cache directory = $d/cache
  pid directory = $d/pid
  log file = $d/log.smbd
  passdb backend = tdbsam:$d/private/passdb.tdb
  server signing = $signing
  server min protocol = $minproto
  map to guest = $map
  load printers = no
  disable spoolss = yes
[share]
  path = $d/share
  read only = no
  guest ok = $guestok
CONF
    # Its own session: on SIGTERM smbd signals its whole process group.
    setsid smbd -F --no-process-group -s "$d/smb.conf" </dev/null >"$d/stdout" 2>&1 &
    local pid=$!
    SMBD_PIDS+=("$pid")
    # Wait until it listens (at most ~10 s).
    for _ in $(seq 100); do
        if ss -ltn "sport = :$port" 2>/dev/null | grep -q "$addr:$port"; then return 0; fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "smbd $name exited; see $d/log.smbd" >&2; cat "$d/stdout" >&2; return 1
        fi
        sleep 0.1
    done
    echo "smbd $name does not listen on $addr:$port" >&2
    return 1
}

stop_all_smbd() {
    local pid
    for pid in "${SMBD_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${SMBD_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    SMBD_PIDS=()
}
