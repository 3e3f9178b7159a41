#!/bin/sh
# `signet status` and `server signing audit` against signetd (tests/interop):
# two sessions held open, one (smbclient) that requires signing and one
# (impacket, a file held open) that signs nothing; `signet status --json`
# lists both with the user, dialect, signing algorithm, trees and opens;
# `signet status --audit` shows exactly one event 3021 (the unsigned session);
# a user other than signetd's (nobody) is refused, by the socket's modes and by
# the SO_PEERCRED check. Needs smbclient and Debian's python3 with impacket.
#
#   tests/interop/admin_status.sh [BUILD_DIR]
#
# Ports 4870-4899. Every process started here is stopped by its pid.
set -eu

BUILD=${1:-build}
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
SIGNET=$(realpath "$BUILD/tools/signet" 2>/dev/null || echo "$BUILD/tools/signet")
[ -x "$SIGNETD" ] && [ -x "$SIGNET" ] || { echo "no $SIGNETD or $SIGNET (build first)"; exit 2; }
command -v smbclient >/dev/null || { echo "SKIP: smbclient not installed"; exit 77; }
/usr/bin/python3 -c 'import impacket' 2>/dev/null || { echo "SKIP: no impacket"; exit 77; }

. "$(dirname "$0")/server_lib.sh"
srv_lib_init 4870 4899 PID C1 C2

cd "$WORK"
mkdir share
HASH=$(printf 'secret' | iconv -t UTF-16LE | openssl dgst -md4 -provider legacy -provider default |
    sed 's/.*= //' | tr a-f A-F)
printf 'alice:%s\nbob:%s\n' "$HASH" "$HASH" >users
chmod 600 users
SOCK=$WORK/admin/admin.sock
cat >signet.conf <<CONF
[global]
  listen = 127.0.0.1:$PORT
  server signing = auto
  server signing audit = yes
  # impacket 0.10 encrypts every SMB 3.0 session of a server that offers
  # encryption (an encrypted request counts as signed): bob's unsigned
  # session needs it off
  server smb encrypt = off
  admin socket = $SOCK
  user database = $WORK/users
  invalid authentication delay = 0
[share]
  path = $WORK/share
  read only = no
CONF
"$SIGNETD" --config signet.conf --foreground 2>stderr.txt &
PID=$!
for _ in $(seq 50); do grep -q "ready:" stderr.txt 2>/dev/null && break; sleep 0.1; done
grep -q "ready:" stderr.txt || { cat stderr.txt; echo "signetd did not start"; exit 1; }
ok "signetd (server signing = auto, server signing audit = yes) on 127.0.0.1:$PORT"

m=$(stat -c %a "$SOCK" 2>/dev/null || echo none)
d=$(stat -c %a "$WORK/admin" 2>/dev/null || echo none)
[ "$m" = 600 ] && [ "$d" = 700 ] && ok "admin socket mode 0600 in a 0700 directory" ||
    bad "admin socket mode $m, directory $d"

# Two sessions held open: alice (smbclient) requires signing, bob (impacket)
# signs nothing.
# smbclient reads its commands from the pipe and stays until it closes.
hold() { echo ls; sleep 8; echo quit; }
hold | timeout 60 smbclient //127.0.0.1/share -p "$PORT" -U alice%secret -m SMB3_11 \
    --client-protection=sign >c1.txt 2>&1 &
C1=$!
# impacket's client signs only when the server requires it (smbclient signs
# whenever it can, even with --client-protection=off).
timeout 60 /usr/bin/python3 -c 'import sys, time
from impacket.smbconnection import SMBConnection
c = SMBConnection("SIGNET", "127.0.0.1", sess_port=int(sys.argv[1]))
c.login("bob", "secret")
tid = c.connectTree("share")
c.createFile(tid, "held.txt")
print("dialect", hex(c.getDialect()), flush=True)
time.sleep(8)' "$PORT" >c2.txt 2>&1 &
C2=$!
for _ in $(seq 50); do
    [ "$(grep -c "logged on" stderr.txt)" -ge 2 ] && break
    sleep 0.1
done
sleep 0.5

if "$SIGNET" status --json --socket "$SOCK" >status.json 2>status.err; then
    ok "signet status --json"
else
    bad "signet status --json: $(cat status.err)"
fi
field() { # USER FIELD: the value of FIELD in USER's row
    python3 -c 'import json,sys
for l in open("status.json"):
    j = json.loads(l)
    if j["user"] == sys.argv[1]: print(j[sys.argv[2]])' "$1" "$2"
}
check() { # WHAT EXPECTED ACTUAL
    [ "$2" = "$3" ] && ok "$1: $3" || bad "$1: expected '$2', got '$3'"
}
check "two sessions listed" 2 "$(wc -l <status.json)"
check "alice: dialect" 3.1.1 "$(field alice dialect)"
check "alice: signing" AES-128-GMAC "$(field alice signing)"
check "alice: signing required" True "$(field alice signing_required)"
check "alice: guest" False "$(field alice guest)"
check "alice: client" 127.0.0.1 "$(field alice client | sed 's/:.*//')"
check "alice: cipher" none "$(field alice cipher)"
check "alice: tree connects" 1 "$(field alice trees)"
check "bob (impacket): dialect" 3.0 "$(field bob dialect)"
check "bob (impacket): signing" none "$(field bob signing)"
check "bob (impacket): signing required" False "$(field bob signing_required)"
check "bob (impacket): tree connects" 1 "$(field bob trees)"
check "bob (impacket): open files" 1 "$(field bob opens)"

"$SIGNET" status --socket "$SOCK" >status.txt 2>&1 || true
head -1 status.txt | grep -q "^SESSION .*USER .*CLIENT .*DIALECT .*SIGNING .*CIPHER .*GUEST .*TREES .*OPENS .*IDLE" &&
    grep -q " bob .* 3\.0 .* none " status.txt && ok "signet status: the table" ||
    bad "signet status table: $(cat status.txt)"
"$SIGNET" status --config signet.conf >status2.txt 2>&1 && [ "$(grep -c . status2.txt)" = 3 ] &&
    grep -q " bob .* 3\.0 .* none " status2.txt &&
    ok "signet status --config finds the socket" || bad "--config: $(cat status2.txt)"

"$SIGNET" status --audit --json --socket "$SOCK" >audit.json 2>&1 || true
check "--audit: one event 3021" 1 "$(grep -c '"event":3021' audit.json)"
grep '"event":3021' audit.json | grep -q "user bob from 127.0.0.1:[0-9]* dialect 3.0 " &&
    ok "--audit: 3021 names bob's session" || bad "--audit: $(cat audit.json)"
grep -q "notice: audit 3021: session 0x[0-9a-f]* user bob from 127.0.0.1" stderr.txt &&
    ok "audit 3021 logged" || bad "no audit 3021 line in the log"
"$SIGNET" status --audit --socket "$SOCK" >audit.txt 2>&1 && grep -q "^TIME .*EVENT" audit.txt &&
    ok "signet status --audit: the table" || bad "--audit table: $(cat audit.txt)"

# Another user: the 0700 directory stops it; with the modes opened, SO_PEERCRED.
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
    as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
    if as_nobody "$SIGNET" status --socket "$SOCK" >nobody.txt 2>&1; then
        bad "nobody was answered: $(cat nobody.txt)"
    else
        ok "nobody refused (directory mode): $(head -1 nobody.txt)"
    fi
    chmod 0711 "$WORK" && chmod 0755 "$WORK/admin" && chmod 0666 "$SOCK"
    if as_nobody "$SIGNET" status --socket "$SOCK" >nobody.txt 2>&1; then
        bad "nobody was answered: $(cat nobody.txt)"
    else
        grep -q "refused.*owner or root only" nobody.txt && ok "nobody refused (SO_PEERCRED)" ||
            bad "nobody: $(cat nobody.txt)"
    fi
    grep -q "warning: admin socket: uid [0-9]* refused" stderr.txt &&
        ok "refusal logged" || bad "refusal not logged"
    chmod 0700 "$WORK" "$WORK/admin" && chmod 0600 "$SOCK"
else
    echo "ok   - # SKIP non-owner checks (needs root and setpriv)"
fi

wait "$C1" 2>/dev/null || true
wait "$C2" 2>/dev/null || true
C1='' C2=''
kill "$PID"
wait "$PID" 2>/dev/null || true
PID=
[ ! -e "$SOCK" ] && ok "admin socket removed at shutdown" || bad "admin socket left behind"
exit $((FAILS > 0))
