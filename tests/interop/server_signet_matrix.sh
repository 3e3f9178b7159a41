#!/bin/sh
# Our client against our server, over the whole client matrix
# (tests/interop, see README.md).
#
#   tests/interop/server_signet_matrix.sh [BUILD_DIR]
#
# Starts signetd (server signing = mandatory) on 127.0.0.1:<free port in
# 4600-4699> and, with build/tools/signet, for each dialect SMB2_02..SMB3_11
# and on SMB3_11 for each signing algorithm the client offers alone: puts an
# 8 MiB random file, lists it, gets it back (SHA-256 compared), renames it and
# deletes it, each checked on the share's disk; the algorithm signet -v reports
# must be the one the dialect signs with, and the one signetd logs for that
# session. Every process started here is stopped by its pid.
set -eu

BUILD=${1:-build}
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
SIGNET=$(realpath "$BUILD/tools/signet" 2>/dev/null || echo "$BUILD/tools/signet")
[ -x "$SIGNETD" ] && [ -x "$SIGNET" ] || { echo "no $SIGNETD or $SIGNET (build first)"; exit 2; }

. "$(dirname "$0")/server_lib.sh"
srv_lib_init 4600 4699 PID

cd "$WORK"
mkdir share
head -c 8388608 /dev/urandom >f.bin
SUM=$(sha256sum <f.bin | cut -d' ' -f1)
cat >signet.conf <<CONF
[global]
  listen = 127.0.0.1:$PORT
  server signing = mandatory
  user database = $WORK/users
  invalid authentication delay = 0
[share]
  path = $WORK/share
  read only = no
CONF
SIGNET_PASSWORD=matrix-pass-1 "$SIGNET" user add alice --db "$WORK/users" >/dev/null
srv_lib_start_signetd signet.conf
ok "signetd (pid $PID) on 127.0.0.1:$PORT, signing mandatory"

export SIGNET_PASSWORD=matrix-pass-1
URL="//127.0.0.1:$PORT/share"

# cell NAME PROTOCOL DIALECT_SHOWN ALGORITHM [signet options...]
cell() {
    name=$1 proto=$2 shown=$3 alg=$4
    shift 4
    S() { timeout 120 "$SIGNET" -U alice --min-protocol="$proto" --max-protocol="$proto" "$@" 2>&1; }
    fails=0
    v=$(S -v "$@" put "$URL/$name.bin" f.bin) || fails=$((fails + 1))
    case $v in
    *"SMB $shown, signed with $alg, not encrypted, user WORKGROUP\\alice"*) ;;
    *) echo "    -v said: $v"; fails=$((fails + 1)) ;;
    esac
    cmp -s f.bin "share/$name.bin" || { echo "    put: content differs on disk"; fails=$((fails + 1)); }
    S "$@" ls "$URL/" | grep -q "$name.bin" || { echo "    ls: $name.bin missing"; fails=$((fails + 1)); }
    rm -f got.bin
    S "$@" get "$URL/$name.bin" got.bin >/dev/null || true
    [ "$(sha256sum <got.bin 2>/dev/null | cut -d' ' -f1)" = "$SUM" ] ||
        { echo "    get: SHA-256 differs"; fails=$((fails + 1)); }
    S "$@" mv "$URL/$name.bin" "moved-$name.bin" >/dev/null || true
    [ -f "share/moved-$name.bin" ] && [ ! -e "share/$name.bin" ] ||
        { echo "    mv: not renamed on disk"; fails=$((fails + 1)); }
    S "$@" rm "$URL/moved-$name.bin" >/dev/null || true
    [ ! -e "share/moved-$name.bin" ] || { echo "    rm: still on disk"; fails=$((fails + 1)); }
    logged=$(grep -c "logged on 'alice': SMB $shown, signing $alg" stderr.txt || true)
    [ "$logged" -gt 0 ] || { echo "    signetd did not log SMB $shown signing $alg"; fails=$((fails + 1)); }
    if [ "$fails" -eq 0 ]; then
        ok "$name: SMB $shown $alg: put, ls, get (8 MiB, SHA-256 equal), mv, rm"
    else
        bad "$name: SMB $shown $alg ($fails problems)"
    fi
}

cell d0202 SMB2_02 2.0.2 HMAC-SHA256
cell d0210 SMB2_10 2.1 HMAC-SHA256
cell d0300 SMB3_00 3.0 AES-128-CMAC
cell d0302 SMB3_02 3.0.2 AES-128-CMAC
cell d0311 SMB3_11 3.1.1 AES-128-GMAC
cell gmac SMB3_11 3.1.1 AES-128-GMAC --signing-algorithms=AES-128-GMAC
cell cmac SMB3_11 3.1.1 AES-128-CMAC --signing-algorithms=AES-128-CMAC
cell hmac SMB3_11 3.1.1 HMAC-SHA256 --signing-algorithms=HMAC-SHA256

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
[ "$rc" -eq 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit $rc"
[ "$FAILS" -eq 0 ] || { echo "$FAILS check(s) failed"; exit 1; }
