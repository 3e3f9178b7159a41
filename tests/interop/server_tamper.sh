#!/bin/sh
# Tampered signed requests against signetd (tests/interop, see peers.md).
#
#   tests/interop/server_tamper.sh [BUILD_DIR]
#
# signetd (signing mandatory) on 127.0.0.1:<free port in 4660-4699>; a small
# proxy (server_tamper_proxy.py) on the next free port relays one impacket
# client (SMB 3.0, AES-CMAC) and, after SESSION_SETUP has succeeded, flips one
# bit of the first signed CREATE of a chosen name, or of the first signed
# WRITE: in the header flags (the DFS bit), the SIGNED flag, the message id,
# the body (the file name, the written data) or the signature itself. For each
# case:
#  - signetd must answer the tampered request with STATUS_ACCESS_DENIED (as
#    the proxy relays it), or close the connection, and the client's operation
#    must fail;
#  - the request must not have been executed: a tampered CREATE creates no
#    file (the share's listing is unchanged), a tampered WRITE leaves the
#    file's content as it was;
#  - while the tampering client's connection is open, a second, untampered
#    client (smbclient, straight to signetd) lists the share.
# The ok line also says whether the tampering client's connection still
# worked afterwards (a listPath on it). Every process started here is stopped
# by its pid.
set -eu

BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
[ -x "$SIGNETD" ] || { echo "no $SIGNETD (build first)"; exit 2; }
command -v smbclient >/dev/null || { echo "SKIP: smbclient not installed"; exit 77; }
/usr/bin/python3 -c 'import impacket.smbconnection' 2>/dev/null ||
    { echo "SKIP: impacket (python3-impacket) not installed"; exit 77; }

# shellcheck disable=SC1091 # sourced helper, checked on its own
. "$HERE/server_lib.sh"
srv_lib_init 4660 4699 PID PROXY CLIENT

# the first port after PORT, up to 4699, that nobody listens on
PPORT=
# shellcheck disable=SC2153 # PORT is set by srv_lib_init
srv_port=$PORT
for p in $(seq $((srv_port + 1)) 4699); do
    if bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null; then continue; fi
    PPORT=$p
    break
done
[ -n "$PPORT" ] || { echo "no second free port in $((PORT + 1))-4699"; exit 1; }

cd "$WORK"
mkdir share
VICTIM="original content of victim.txt"
printf '%s\n' "$VICTIM" >share/victim.txt
srv_lib_add_user alice secret
cat >signet.conf <<CONF
[global]
  listen = 127.0.0.1:$PORT
  server signing = mandatory
  # impacket 0.10 encrypts every SMB 3.0 session of a server that offers
  # encryption; the proxy tampers with signed plaintext, so encryption is
  # off here (server_encrypt.sh and the server/encrypt unit tests cover it)
  server smb encrypt = off
  user database = $WORK/users
  invalid authentication delay = 0
[share]
  path = $WORK/share
  read only = no
  valid users = alice
CONF
srv_lib_start_signetd signet.conf
ok "signetd (pid $PID) on 127.0.0.1:$PORT, signing mandatory; tampering proxy on $PPORT"

# The tampering client: OP is create (a new file NAME) or write (victim.txt,
# opened without truncation, 8 bytes at offset 0). Prints "op failed: ..." or
# "op succeeded", waits for the file "go" (the concurrent check is done), then
# "after: ..." for a listPath on the same connection.
cat >client.py <<'PY'
import os, sys, time
from impacket.smbconnection import SMBConnection
from impacket.smb3structs import FILE_WRITE_DATA, FILE_OPEN, FILE_CREATE
port, op, name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=port, timeout=10)
c.login('alice', 'secret')
tid = c.connectTree('share')
fid = None
if op == 'write':
    fid = c.openFile(tid, 'victim.txt', desiredAccess=FILE_WRITE_DATA, creationOption=0x40,
                     creationDisposition=FILE_OPEN)
try:
    if op == 'create':
        fid = c.createFile(tid, name, desiredAccess=FILE_WRITE_DATA, creationOption=0x40,
                           creationDisposition=FILE_CREATE)
    else:
        c.writeFile(tid, fid, b'TAMPERED', 0)
    print('op succeeded', flush=True)
except Exception as e:
    print('op failed: %s' % str(e).splitlines()[0][:120], flush=True)
for _ in range(100):
    if os.path.exists('go'):
        break
    time.sleep(0.1)
try:
    c.listPath('share', '*')
    print('after: same connection still serves (listPath ok)', flush=True)
except Exception as e:
    print('after: same connection: %s' % str(e).splitlines()[0][:80], flush=True)
PY

listing() { find share -mindepth 1 | sort; }

# tamper CMD WHERE: one case
tamper() {
    cmd=$1 where=$2
    case=${cmd}_$where
    name="t_$where.txt"
    rm -f go
    before=$(listing)
    match=$name
    [ "$cmd" = WRITE ] && match= # the first signed WRITE: the one to victim.txt
    # shellcheck disable=SC2086 # $match: no argument when empty
    /usr/bin/python3 "$HERE/server_tamper_proxy.py" "$PPORT" "$PORT" "$cmd" "$where" \
        $match >"proxy_$case.txt" 2>&1 &
    PROXY=$!
    for _ in $(seq 50); do grep -q listening "proxy_$case.txt" 2>/dev/null && break; sleep 0.1; done
    op=create
    [ "$cmd" = WRITE ] && op="write"
    timeout 60 /usr/bin/python3 client.py "$PPORT" "$op" "$name" >"client_$case.txt" 2>&1 &
    CLIENT=$!
    for _ in $(seq 100); do grep -q "^op " "client_$case.txt" 2>/dev/null && break; sleep 0.1; done
    # a second, untampered client while the tampering one is still connected
    other=$(timeout 30 smbclient "//127.0.0.1/share" -p "$PORT" -U "alice%secret" -m SMB3_11 \
        --client-protection=sign -c ls 2>&1 || true)
    : >go
    wait "$CLIENT" || true
    CLIENT=
    for _ in $(seq 50); do kill -0 "$PROXY" 2>/dev/null || break; sleep 0.1; done
    kill "$PROXY" 2>/dev/null || true
    wait "$PROXY" 2>/dev/null || true
    PROXY=
    tampered=$(grep "^tampered" "proxy_$case.txt" || true)
    result=$(sed -n 's/^result //p' "proxy_$case.txt" | head -n 1)
    opline=$(grep "^op " "client_$case.txt" || echo "op: no result")
    after=$(sed -n 's/^after: //p' "client_$case.txt")
    content=$(cat share/victim.txt)
    what="$cmd, $where"
    if [ -z "$tampered" ]; then
        bad "$what: the proxy tampered with nothing ($result); client: $(cat "client_$case.txt")"
        return
    fi
    case $result in
        "status 0xc0000022" | disconnect) ;;
        *) bad "$what: signetd's answer to the tampered request: $result ($tampered)" ;;
    esac
    case $opline in
        "op failed"*) ;;
        *) bad "$what: the client's operation did not fail: $opline" ;;
    esac
    [ "$(listing)" = "$before" ] || bad "$what: executed: the share now holds $(listing | tr '\n' ' ')"
    [ "$content" = "$VICTIM" ] || bad "$what: executed: victim.txt now reads '$content'"
    echo "$other" | grep -q "victim.txt" ||
        bad "$what: the concurrent untampered smbclient ls failed: $(echo "$other" | tail -n 2)"
    if [ "$result" != "${result#status 0xc0000022}" ] || [ "$result" = disconnect ]; then
        if [ "$(listing)" = "$before" ] && [ "$content" = "$VICTIM" ] &&
            [ "$opline" != "${opline#op failed}" ] && echo "$other" | grep -q victim.txt; then
            [ "$result" = disconnect ] && answer="closed the connection" ||
                answer="answered STATUS_ACCESS_DENIED"
            ok "$what (${tampered#tampered }): signetd $answer, not executed; concurrent smbclient ls ok; afterwards: $after"
        fi
    fi
}

for where in signature flags signed msgid body; do
    tamper CREATE "$where"
done
for where in signature flags signed msgid body; do
    tamper WRITE "$where"
done

n=$(grep -c "bad signature" stderr.txt || true)
if [ "$n" -gt 0 ]; then
    ok "signetd logged $n 'bad signature' event(s)"
else
    bad "no 'bad signature' in signetd's log"
fi
srv_lib_finish proxy_*.txt client_*.txt
