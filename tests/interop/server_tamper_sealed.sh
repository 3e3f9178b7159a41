#!/bin/sh
# Tampered and replayed ENCRYPTED requests against signetd (issue 11).
#
#   tests/interop/server_tamper_sealed.sh [BUILD_DIR]
#
# signetd on 127.0.0.1:<free port in 4350-4399>; a proxy
# (server_seal_proxy.py) on the next free port relays one impacket client,
# which encrypts its SMB 3.0 session (AES-128-CCM). The proxy cannot read the
# requests, so the client arms it (a file) just before the request to act on:
#  - flip: one bit of a CREATE of a new name, or of a WRITE over victim.txt,
#    in the transform header's signature, nonce, OriginalMessageSize, flags
#    or SessionId, or in the ciphertext (first and last byte). signetd must
#    close the connection without answering, the client's operation fail,
#    the request not run (no new file; victim.txt unchanged), the log say
#    why; and a second client (smbclient, encrypting) lists the share
#    meanwhile.
#  - replay: the proxy keeps a copy of an encrypted WRITE ("AAAAAAAA"), the
#    client then writes "BBBBBBBB" over it, and the proxy sends the copy
#    again: victim.txt must still read "BBBBBBBB".
# The control: an armed but untouched request runs (the proxy's arming
# and the checks can see a request that goes through).
# Every process started here is stopped by its pid.
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
srv_lib_init 4350 4399 PID PROXY CLIENT

PPORT=
# shellcheck disable=SC2153 # PORT is set by srv_lib_init
for p in $(seq $((PORT + 1)) 4399); do
    if bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null; then continue; fi
    PPORT=$p
    break
done
[ -n "$PPORT" ] || { echo "no second free port in $((PORT + 1))-4399"; exit 1; }

cd "$WORK"
mkdir share
VICTIM="original content of victim.txt"
srv_lib_add_user alice secret
cat >signet.conf <<CONF
[global]
  listen = 127.0.0.1:$PORT
  server signing = mandatory
  user database = $WORK/users
  invalid authentication delay = 0
  log level = info
[share]
  path = $WORK/share
  read only = no
  valid users = alice
CONF
srv_lib_start_signetd signet.conf
ok "signetd (pid $PID) on 127.0.0.1:$PORT; proxy on $PPORT"

# OP: create NAME (armed), write (armed "TAMPERED" at 0), replay (armed
# "AAAAAAAA", then "BBBBBBBB", then INJECT), or control (armed create NAME).
# Prints "op failed: ..." or "op succeeded", waits for "go", then "after: ...".
cat >client.py <<'PY'
import os, sys, time
from impacket.smbconnection import SMBConnection
from impacket.smb3structs import FILE_WRITE_DATA, FILE_OPEN, FILE_CREATE
port, op, name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
c = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=port, timeout=10,
                  preferredDialect=0x0300)
c.login('alice', 'secret')
tid = c.connectTree('share')
def arm():
    open('ARM', 'w').close()
def wait_for(path):
    for _ in range(100):
        if os.path.exists(path):
            return
        time.sleep(0.1)
fid = None
if op in ('write', 'replay'):
    fid = c.openFile(tid, 'victim.txt', desiredAccess=FILE_WRITE_DATA, creationOption=0x40,
                     creationDisposition=FILE_OPEN)
try:
    if op in ('create', 'control'):
        arm()
        c.createFile(tid, name, desiredAccess=FILE_WRITE_DATA, creationOption=0x40,
                     creationDisposition=FILE_CREATE)
    elif op == 'write':
        arm()
        c.writeFile(tid, fid, b'TAMPERED', 0)
    else:
        arm()
        c.writeFile(tid, fid, b'AAAAAAAA', 0)
        c.writeFile(tid, fid, b'BBBBBBBB', 0)
        open('INJECT', 'w').close()
        wait_for('injected')
    print('op succeeded', flush=True)
except Exception as e:
    print('op failed: %s' % str(e).splitlines()[0][:120], flush=True)
wait_for('go')
try:
    c.listPath('share', '*')
    print('after: same connection still serves (listPath ok)', flush=True)
except Exception as e:
    print('after: same connection: %s' % str(e).splitlines()[0][:80], flush=True)
PY

listing() { find share -mindepth 1 | sort; }

# run_case OP ACTION [WHERE]: one proxy, one client; sets RESULT, OPLINE,
# AFTER, PROXIED, OTHER
run_case() {
    op=$1 action=$2 where=${3:-}
    case=${op}_$action$where
    rm -f go ARM INJECT injected
    /usr/bin/python3 "$HERE/server_seal_proxy.py" "$PPORT" "$PORT" "$action" $where \
        >"proxy_$case.txt" 2>&1 &
    PROXY=$!
    for _ in $(seq 50); do grep -q listening "proxy_$case.txt" 2>/dev/null && break; sleep 0.1; done
    timeout 60 /usr/bin/python3 client.py "$PPORT" "$op" "t_$case.txt" >"client_$case.txt" 2>&1 &
    CLIENT=$!
    if [ "$op" = replay ]; then
        for _ in $(seq 100); do grep -q "^result" "proxy_$case.txt" 2>/dev/null && break; sleep 0.1; done
        : >injected
    fi
    for _ in $(seq 100); do grep -q "^op " "client_$case.txt" 2>/dev/null && break; sleep 0.1; done
    OTHER=$(timeout 30 smbclient "//127.0.0.1/share" -p "$PORT" -U "alice%secret" -m SMB3_11 \
        --client-protection=encrypt -c ls 2>&1 || true)
    : >go
    wait "$CLIENT" || true
    CLIENT=
    for _ in $(seq 50); do kill -0 "$PROXY" 2>/dev/null || break; sleep 0.1; done
    kill "$PROXY" 2>/dev/null || true
    wait "$PROXY" 2>/dev/null || true
    PROXY=
    PROXIED=$(grep -E "^(armed|injected)" "proxy_$case.txt" | paste -sd ';' || true)
    RESULT=$(sed -n 's/^result //p' "proxy_$case.txt" | head -n 1)
    OPLINE=$(grep "^op " "client_$case.txt" || echo "op: no result: $(tail -n 1 "client_$case.txt")")
    AFTER=$(sed -n 's/^after: //p' "client_$case.txt")
}

# The control: an armed CREATE relayed untouched (a replay proxy that is
# never told to inject) runs.
printf '%s\n' "$VICTIM" >share/victim.txt
run_case control replay
if [ -f share/t_control_replay.txt ] && [ "$OPLINE" = "op succeeded" ] &&
    echo "$PROXIED" | grep -q "kept a copy"; then
    ok "control: an armed, untouched encrypted CREATE runs ($PROXIED)"
else
    bad "control: $OPLINE; proxy: $PROXIED; share: $(listing | tr '\n' ' ')"
fi

for where in signature nonce size flags session ciphertext tail; do
    for op in create write; do
        printf '%s\n' "$VICTIM" >share/victim.txt
        before=$(listing)
        refusals=$(grep -c "encrypted frame for session" stderr.txt || true)
        run_case "$op" flip "$where"
        what="$op, $where"
        now=$(grep -c "encrypted frame for session" stderr.txt || true)
        why=$(grep "encrypted frame for session" stderr.txt | tail -n 1 | sed 's/.*: \(.*\): disconnecting/\1/')
        if [ "$RESULT" = disconnect ] && [ "${OPLINE#op failed}" != "$OPLINE" ] &&
            [ "$(listing)" = "$before" ] && [ "$(cat share/victim.txt)" = "$VICTIM" ] &&
            [ "$now" -gt "$refusals" ] && echo "$OTHER" | grep -q victim.txt; then
            ok "$what (${PROXIED#armed: }): signetd closed the connection ($why), not executed; a second client lists the share"
        else
            bad "$what: signetd: $RESULT; client: $OPLINE; proxy: $PROXIED; refusals logged $refusals -> $now; share: $(listing | tr '\n' ' '); victim: $(cat share/victim.txt); other: $(echo "$OTHER" | tail -n 1)"
        fi
    done
done

printf '%s\n' "$VICTIM" >share/victim.txt
run_case replay replay
content=$(head -c 8 share/victim.txt)
if [ "$content" = BBBBBBBB ] && echo "$PROXIED" | grep -q "injected"; then
    ok "replay: an encrypted WRITE sent again ($PROXIED) is not executed: victim.txt reads $content; signetd: $RESULT ($(grep -iE "message ?id|sequence" stderr.txt | tail -n 1 | sed 's/^[^)]*): //'))"
else
    bad "replay: victim.txt reads '$content' (want BBBBBBBB); proxy: $PROXIED $RESULT; client: $OPLINE"
fi

srv_lib_finish proxy_*.txt client_*.txt
