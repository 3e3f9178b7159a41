#!/bin/sh
# impacket's SMBConnection (an independent Python implementation, peers.md)
# against signetd with signing mandatory: login, isSigningRequired() is True,
# listPath, putFile, getFile (bytes compared, and the file on the share's disk
# too), deleteFile, logoff.
#
#   tests/interop/server_impacket.sh [BUILD_DIR]
#
# signetd listens on 127.0.0.1:<free port in 4660-4699>; every process started
# here is stopped by its pid.
set -eu

BUILD=${1:-build}
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
[ -x "$SIGNETD" ] || { echo "no $SIGNETD (build first)"; exit 2; }
/usr/bin/python3 -c 'import impacket.smbconnection' 2>/dev/null ||
    { echo "SKIP: impacket (python3-impacket) not installed"; exit 77; }

# shellcheck disable=SC1091 # sourced helper, checked on its own
. "$(dirname "$0")/server_lib.sh"
srv_lib_init 4660 4699 PID

cd "$WORK"
mkdir share
echo "listed by impacket" >share/present.txt
head -c 3000000 /dev/urandom >up.bin
srv_lib_add_user alice secret
cat >signet.conf <<CONF
[global]
  listen = 127.0.0.1:$PORT
  server signing = mandatory
  user database = $WORK/users
  invalid authentication delay = 0
[share]
  path = $WORK/share
  read only = no
  valid users = alice
CONF
srv_lib_start_signetd signet.conf
ok "signetd (pid $PID) on 127.0.0.1:$PORT, signing mandatory"

# One line per step: "step NAME ok|FAIL detail"; the script stops at the
# first step that raises.
timeout 120 /usr/bin/python3 - "$PORT" "$WORK" >impacket.txt 2>&1 <<'PY' || true
import sys
from impacket.smbconnection import SMBConnection

port, work = int(sys.argv[1]), sys.argv[2]

def step(name, ok, detail=''):
    print('step %s %s %s' % (name, 'ok' if ok else 'FAIL', detail), flush=True)

c = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=port, timeout=30)
step('negotiate', True, 'dialect 0x%04x' % c.getDialect())
c.login('alice', 'secret')
step('login', True)
step('signing-required', c.isSigningRequired() is True, repr(c.isSigningRequired()))
names = [f.get_longname() for f in c.listPath('share', '*')]
step('listPath', 'present.txt' in names, ' '.join(sorted(names)))
data = open(work + '/up.bin', 'rb').read()
with open(work + '/up.bin', 'rb') as f:
    c.putFile('share', 'imp.bin', f.read)
on_disk = open(work + '/share/imp.bin', 'rb').read()
step('putFile', on_disk == data, '%d bytes on disk' % len(on_disk))
got = bytearray()
c.getFile('share', 'imp.bin', got.extend)
step('getFile', bytes(got) == data, '%d bytes back' % len(got))
c.deleteFile('share', 'imp.bin')
import os
step('deleteFile', not os.path.exists(work + '/share/imp.bin'))
c.logoff()
step('logoff', True)
PY
for s in negotiate login signing-required listPath putFile getFile deleteFile logoff; do
    line=$(grep "^step $s " impacket.txt || true)
    case $line in
        "step $s ok"*) ok "impacket $s${line#"step $s ok"}" ;;
        *) bad "impacket $s: ${line:-not reached}" ;;
    esac
done
if grep -q "logged on 'alice'.*(required)" stderr.txt; then
    ok "signetd logged: $(grep "logged on 'alice'" stderr.txt | tail -1 | sed 's/^signetd\[[0-9]*\]: [a-z]*: //')"
else
    bad "no signing-required session in signetd's log"
fi

if kill -0 "$PID"; then ok "signetd still running"; else bad "signetd died"; fi
if grep -qiE "asan|runtime error|sanitizer" stderr.txt; then
    bad "sanitizer report in signetd's log"
else
    ok "no sanitizer report in signetd's log"
fi
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
if [ "$rc" -eq 0 ]; then ok "SIGTERM: exit 0"; else bad "SIGTERM: exit $rc"; fi
if [ "$FAILS" -ne 0 ]; then
    echo "--- impacket output"; cat impacket.txt
    echo "--- signetd stderr (tail)"; tail -n 40 stderr.txt
    echo "$FAILS check(s) failed"
    exit 1
fi
echo "all checks passed"
