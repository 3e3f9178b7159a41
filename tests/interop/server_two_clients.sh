#!/bin/sh
# Two clients at once against one signetd (signing mandatory): what one
# client holds of a file and what the other is then made to wait for. Both
# clients are impacket sessions (alice as A, bob as B; two connections, two
# ClientGuids), driven message by message through smb2raw.py because
# impacket has no calls for breaks, acknowledgments, lease contexts or
# waiting locks, and its receive loop drops interim responses. Every final
# response is checked to be signed, and its signature is verified with the
# session's key.
#
#  1. share modes: A opens without FILE_SHARE_WRITE; B's open for write is
#     STATUS_SHARING_VIOLATION (an open for read is not); after A closes,
#     B's open for write succeeds and writes;
#  2. a batch oplock: A holds one; B's CREATE makes signetd send A a break
#     to level II and waits, unanswered, until A acknowledges; then B gets
#     level II. B's write then breaks A's level II to none (no ack needed);
#  3. a lease: A holds RWH under one key; B's CREATE with another key makes
#     signetd send A a lease break RWH -> RH that requires an ack (a v2
#     lease: its epoch moves on by one) and waits for it; then B gets RH;
#  4. a blocking lock: A holds a range; B's LOCK without FAIL_IMMEDIATELY
#     goes pending (interim STATUS_PENDING, async) and completes with
#     STATUS_SUCCESS once A unlocks. A's lock on the range B now holds goes
#     pending too: an unsigned CANCEL and one with a wrong signature leave it
#     pending (signetd logs both), a signed CANCEL (async form, by AsyncId)
#     ends it with STATUS_CANCELLED, as impacket's own CANCEL (sync form, by
#     MessageId) ends the next one.
# smbtorture's two-connection oplock and lease tests run in
# server_smbtorture.sh, not here.
#
#   tests/interop/server_two_clients.sh [BUILD_DIR]
#
# signetd listens on 127.0.0.1:<free port in 4900-4919> (a range no other
# script uses); every process started here is stopped by its pid. The last
# line is "server_two_clients: N passed, N failed".
set -eu

BUILD=${1:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
[ -x "$SIGNETD" ] || { echo "no $SIGNETD (build first)"; exit 2; }
/usr/bin/python3 -c 'import impacket.smbconnection' 2>/dev/null ||
    { echo "SKIP: impacket (python3-impacket) not installed"; exit 77; }

# shellcheck disable=SC1091 # sourced helper, checked on its own
. "$HERE/server_lib.sh"
srv_lib_init 4900 4919 PID

# server_lib's ok and bad, counting the passes too for the last line
PASSES=0
ok() { echo "ok   - $*"; PASSES=$((PASSES + 1)); }

# smb2raw.py is imported from here; no bytecode in the source tree
PYTHONPATH=$HERE${PYTHONPATH:+:$PYTHONPATH}
PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH PYTHONDONTWRITEBYTECODE

cd "$WORK"
mkdir share
printf 'opened by two clients\n' >share/sharemode.txt
printf 'cached by A\n' >share/batch.txt
printf 'leased by A\n' >share/lease.txt
head -c 100 /dev/zero >share/lock.txt
srv_lib_add_user alice secret
srv_lib_add_user bob hunter2
cat >signet.conf <<CONF
[global]
  listen = 127.0.0.1:$PORT
  server signing = mandatory
  user database = $WORK/users
  invalid authentication delay = 0
[share]
  path = $WORK/share
  read only = no
  valid users = alice bob
CONF
srv_lib_start_signetd signet.conf
ok "signetd (pid $PID) on 127.0.0.1:$PORT, signing mandatory"

# py NAME: runs the python on stdin (port and work directory as arguments)
# with its output in NAME.txt, then one check line for each further
# argument, an id the python reports as "check ID ok|FAIL DETAIL"; an id it
# never reports (it died first) fails.
py() {
    out=$1.txt
    shift
    timeout 120 /usr/bin/python3 - "$PORT" "$WORK" >"$out" 2>&1 || true
    for id in "$@"; do
        line=$(grep "^check $id " "$out" | tail -n 1 || true)
        case $line in
            "check $id ok "*) ok "${line#"check $id ok "}" ;;
            "check $id FAIL "*) bad "${line#"check $id FAIL "}" ;;
            *) bad "$id: not reached (see $out: $(tail -n 1 "$out"))" ;;
        esac
    done
}

# ---- 1. share modes ----
py sharemode sign-a sign-b a-open b-write-refused b-read-allowed a-close b-write-after \
    b-wrote all-signed <<'PY'
import sys
from impacket import smb3structs as s2
from smb2raw import Checks, Client, Created, STATUS_SHARING_VIOLATION, STATUS_SUCCESS, status_name

port, work = int(sys.argv[1]), sys.argv[2]
check = Checks()
RWD = s2.FILE_SHARE_READ | s2.FILE_SHARE_WRITE | s2.FILE_SHARE_DELETE
RD, WR = s2.FILE_READ_DATA | s2.FILE_READ_ATTRIBUTES, s2.FILE_WRITE_DATA
a = Client(port, 'alice', 'secret', 'share')
b = Client(port, 'bob', 'hunter2', 'share')
for name, c in (('a', a), ('b', b)):
    check('sign-' + name, c.signing_required is True and c.signing_active,
          'client %s (%s): dialect 0x%04x, isSigningRequired() %r, impacket signs its requests: %r'
          % (name.upper(), 'alice' if c is a else 'bob', c.dialect, c.signing_required,
             c.signing_active))

# A reads and shares only reading
r = a.final(a.send_create('sharemode.txt', RD, s2.FILE_SHARE_READ), 10)
ao = Created(r)
check.signed_ok('a-open', r if ao.status == STATUS_SUCCESS else None,
                "A opens sharemode.txt for read, sharing read only (no FILE_SHARE_WRITE)")
r = b.final(b.send_create('sharemode.txt', RD | WR, RWD), 10)
check('b-write-refused',
      r is not None and r.status == STATUS_SHARING_VIOLATION and r.sig_ok is True,
      "B's open for write while A's open does not share writing: %s (want STATUS_SHARING_VIOLATION,"
      " signed)" % (r.describe() if r else 'no response'))
r = b.final(b.send_create('sharemode.txt', RD, RWD), 10)
bo = Created(r)
closed = bo.fid is not None and b.close(bo.fid)
check('b-read-allowed', bo.status == STATUS_SUCCESS and closed and closed.status == STATUS_SUCCESS,
      "B's open for read meanwhile (A shares reading): %s" % status_name(bo.status))
r = a.close(ao.fid) if ao.fid else None
check.signed_ok('a-close', r if r and r.status == STATUS_SUCCESS else None, 'A closes')
r = b.final(b.send_create('sharemode.txt', RD | WR, RWD), 10)
bo = Created(r)
check.signed_ok('b-write-after', r if bo.status == STATUS_SUCCESS else None,
                "after A's close, B's open for write")
ok = False
if bo.fid:
    w = b.final(b.write(bo.fid, 0, b'B wrote this\n'), 10)
    c = b.close(bo.fid)
    ok = w and w.status == 0 and c and c.status == 0
data = open(work + '/share/sharemode.txt', 'rb').read()
check('b-wrote', ok and data.startswith(b'B wrote this\n'),
      "B's write through that open is on the share's disk: '%s'"
      % data[:12].decode('ascii', 'replace'))
check.all_signed('all-signed', (a, b))
a.logoff()
b.logoff()
PY

# ---- 2. a batch oplock, broken to level II ----
py oplock a-batch break-to-ii b-waits ack-ii b-level-ii write-breaks-to-none closed \
    all-signed <<'PY'
import sys
from impacket import smb3structs as s2
from smb2raw import (Break, Checks, Client, Created, NOTIFY_MID, STATUS_SUCCESS, oplock_name,
                     status_name)

port = int(sys.argv[1])
check = Checks()
RWD = s2.FILE_SHARE_READ | s2.FILE_SHARE_WRITE | s2.FILE_SHARE_DELETE
RW = s2.FILE_READ_DATA | s2.FILE_WRITE_DATA | s2.FILE_READ_ATTRIBUTES
BATCH, II, NONE = s2.SMB2_OPLOCK_LEVEL_BATCH, s2.SMB2_OPLOCK_LEVEL_II, s2.SMB2_OPLOCK_LEVEL_NONE
a = Client(port, 'alice', 'secret', 'share')
b = Client(port, 'bob', 'hunter2', 'share')

ao = Created(a.final(a.send_create('batch.txt', RW, RWD, oplock=BATCH), 10))
check('a-batch', ao.status == STATUS_SUCCESS and ao.oplock == BATCH and ao.msg.sig_ok is True,
      'A opens batch.txt asking for a batch oplock: %s, oplock %s (want BATCH)'
      % (status_name(ao.status), oplock_name(ao.oplock)))

mid = b.send_create('batch.txt', RW, RWD, oplock=BATCH)
m = a.brk(10)
br = Break(m)
check('break-to-ii', m is not None and m.mid == NOTIFY_MID and br.size == 24 and br.oplock == II
      and br.fid == ao.fid,
      "B's open: A is sent an oplock break to %s (want LEVEL_II) for its FileId: %s"
      % (oplock_name(br.oplock), 'MessageId 0x%x, SessionId 0x%x, FileId %s'
         % (m.mid, m.session_id, 'matches' if br.fid == ao.fid else 'OTHER') if m else 'none came'))
early = b.final(mid, 1.5)
interim = b.interim(mid, 0)
check('b-waits', early is None,
      "B's CREATE waits for A's acknowledgment: %s 1.5 s after the break (interim: %s)"
      % ('unanswered' if early is None else 'answered ' + early.describe(),
         interim.describe() if interim else 'none'))
if m is not None and br.fid is not None:
    r = a.final(a.send_oplock_ack(br.fid, II), 10)
    lvl = s2.SMB2OplockBreakResponse(r.body)['OplockLevel'] if r and r.status == 0 else None
    check('ack-ii', r is not None and r.status == STATUS_SUCCESS and lvl == II and r.sig_ok is True,
          "A acknowledges LEVEL_II: %s, oplock %s" % (r.describe() if r else 'no response',
                                                      oplock_name(lvl)))
else:
    check('ack-ii', False, 'A had no break to acknowledge')
bo = Created(early or b.final(mid, 10))
check('b-level-ii', bo.status == STATUS_SUCCESS and bo.oplock == II and bo.msg.sig_ok is True,
      "then B's CREATE completes: %s, oplock %s (want LEVEL_II)%s"
      % (status_name(bo.status), oplock_name(bo.oplock),
         ', signed' if bo.msg and bo.msg.sig_ok else ''))

# a write is no reason to wait: A's level II goes to none, unacknowledged
w = b.final(b.write(bo.fid, 0, b'x'), 10) if bo.fid else None
m = a.brk(10)
br = Break(m)
check('write-breaks-to-none', w is not None and w.status == STATUS_SUCCESS and br.oplock == NONE
      and br.fid == ao.fid,
      "B writes: %s; A is sent a break to %s (want NONE)" % (w.describe() if w else 'no write',
                                                            oplock_name(br.oplock)))
ca = a.close(ao.fid) if ao.fid else None
cb = b.close(bo.fid) if bo.fid else None
check('closed', ca and cb and ca.status == 0 and cb.status == 0,
      'both close: %s, %s' % (ca.describe() if ca else '-', cb.describe() if cb else '-'))
check.all_signed('all-signed', (a, b))
a.logoff()
b.logoff()
PY

# ---- 3. an RWH lease, broken to RH ----
py lease a-rwh lease-break break-epoch b-waits ack-rh b-rh closed all-signed <<'PY'
import os
import sys
from impacket import smb3structs as s2
from smb2raw import (Break, Checks, Client, Created, LEASE_BREAK_FLAG_ACK_REQUIRED, LEASE_H,
                     LEASE_R, LEASE_W, NOTIFY_MID, STATUS_SUCCESS, lease_name, oplock_name,
                     status_name)

port = int(sys.argv[1])
check = Checks()
RWD = s2.FILE_SHARE_READ | s2.FILE_SHARE_WRITE | s2.FILE_SHARE_DELETE
RW = s2.FILE_READ_DATA | s2.FILE_WRITE_DATA | s2.FILE_READ_ATTRIBUTES
LEASE = s2.SMB2_OPLOCK_LEVEL_LEASE
RWH, RH = LEASE_R | LEASE_W | LEASE_H, LEASE_R | LEASE_H
ka, kb = os.urandom(16), os.urandom(16)
a = Client(port, 'alice', 'secret', 'share')
b = Client(port, 'bob', 'hunter2', 'share')
v2 = a.dialect >= s2.SMB2_DIALECT_30

ao = Created(a.final(a.send_create('lease.txt', RW, RWD, oplock=LEASE, lease_key=ka,
                                   lease_state=RWH), 10))
check('a-rwh', ao.status == STATUS_SUCCESS and ao.oplock == LEASE and ao.lease_key == ka
      and ao.lease_state == RWH and ao.msg.sig_ok is True,
      'A opens lease.txt asking for an RWH lease (v%d): %s, oplock %s, lease %s%s'
      % (2 if v2 else 1, status_name(ao.status), oplock_name(ao.oplock), lease_name(ao.lease_state),
         '' if ao.lease_key in (None, ka) else ' under ANOTHER key'))

mid = b.send_create('lease.txt', RW, RWD, oplock=LEASE, lease_key=kb, lease_state=RWH)
m = a.brk(10)
br = Break(m)
check('lease-break', m is not None and m.mid == NOTIFY_MID and br.size == 44 and br.lease_key == ka
      and br.current == RWH and br.new == RH and br.flags == LEASE_BREAK_FLAG_ACK_REQUIRED,
      "B's open with another lease key: A is sent a lease break %s -> %s (want RWH -> RH), "
      "flags 0x%s (want ACK_REQUIRED), key %s" % (
          lease_name(br.current), lease_name(br.new), '%x' % br.flags if m else '-',
          "A's" if br.lease_key == ka else 'OTHER' if m else '-') if m else
      "B's open with another lease key: no lease break came to A")
if v2:
    check('break-epoch', br.epoch is not None and ao.lease_epoch is not None
          and br.epoch == (ao.lease_epoch + 1) & 0xFFFF,
          'the v2 break moves the epoch on by one: %s -> %s' % (ao.lease_epoch, br.epoch))
else:
    check('break-epoch', True, 'v1 lease (dialect 0x%04x): no epoch to check' % a.dialect)
early = b.final(mid, 1.5)
interim = b.interim(mid, 0)
check('b-waits', early is None,
      "B's CREATE waits for A's lease break acknowledgment: %s 1.5 s after the break (interim: %s)"
      % ('unanswered' if early is None else 'answered ' + early.describe(),
         interim.describe() if interim else 'none'))
if m is not None and br.lease_key is not None:
    r = a.final(a.send_lease_ack(ka, RH), 10)
    st = s2.SMB2LeaseBreakResponse(r.body) if r and r.status == 0 else None
    check('ack-rh', r is not None and r.status == STATUS_SUCCESS and st['LeaseState'] == RH
          and st['LeaseKey'] == ka and r.sig_ok is True,
          'A acknowledges RH: %s, lease %s' % (r.describe() if r else 'no response',
                                               lease_name(st['LeaseState']) if st else '-'))
else:
    check('ack-rh', False, 'A had no lease break to acknowledge')
bo = Created(early or b.final(mid, 10))
check('b-rh', bo.status == STATUS_SUCCESS and bo.oplock == LEASE and bo.lease_key == kb
      and bo.lease_state == RH and bo.msg.sig_ok is True,
      "then B's CREATE completes: %s, oplock %s, lease %s under %s key (want RH under B's)%s"
      % (status_name(bo.status), oplock_name(bo.oplock), lease_name(bo.lease_state),
         "B's" if bo.lease_key == kb else 'no' if bo.lease_key is None else 'ANOTHER',
         ', signed' if bo.msg and bo.msg.sig_ok else ''))
ca = a.close(ao.fid) if ao.fid else None
cb = b.close(bo.fid) if bo.fid else None
check('closed', ca and cb and ca.status == 0 and cb.status == 0,
      'both close: %s, %s' % (ca.describe() if ca else '-', cb.describe() if cb else '-'))
check.all_signed('all-signed', (a, b))
a.logoff()
b.logoff()
PY

# ---- 4. blocking locks and CANCEL ----
py lock a-locks b-refused-now b-pending b-waits b-granted a-pending unsigned-cancel \
    badsig-cancel cancelled cancelled-by-mid still-held unlocked all-signed <<'PY'
import sys
from impacket import smb3structs as s2
from smb2raw import Checks, Client, Created, STATUS_CANCELLED, STATUS_LOCK_NOT_GRANTED, status_name

port = int(sys.argv[1])
check = Checks()
RWD = s2.FILE_SHARE_READ | s2.FILE_SHARE_WRITE | s2.FILE_SHARE_DELETE
RW = s2.FILE_READ_DATA | s2.FILE_WRITE_DATA | s2.FILE_READ_ATTRIBUTES
EX, NOW, UN = (s2.SMB2_LOCKFLAG_EXCLUSIVE_LOCK, s2.SMB2_LOCKFLAG_FAIL_IMMEDIATELY,
               s2.SMB2_LOCKFLAG_UNLOCK)
a = Client(port, 'alice', 'secret', 'share')
b = Client(port, 'bob', 'hunter2', 'share')
af = Created(a.final(a.send_create('lock.txt', RW, RWD), 10)).fid
bf = Created(b.final(b.send_create('lock.txt', RW, RWD), 10)).fid
if not (af and bf):
    sys.exit('lock.txt did not open for both clients')

r = a.final(a.send_lock(af, 0, 10, EX | NOW), 10)
check.signed_ok('a-locks', r if r and r.status == 0 else None, 'A locks bytes 0-9 exclusively')
r = b.final(b.send_lock(bf, 0, 10, EX | NOW), 10)
check('b-refused-now', r is not None and r.status == STATUS_LOCK_NOT_GRANTED,
      "B's lock of the range with FAIL_IMMEDIATELY: %s (want STATUS_LOCK_NOT_GRANTED)"
      % (r.describe() if r else 'no response'))

mid = b.send_lock(bf, 0, 10, EX)
im = b.interim(mid, 10)
check('b-pending', im is not None and im.is_async and im.async_id,
      "B's lock without FAIL_IMMEDIATELY goes pending: %s" % (im.describe() if im else
                                                              'no interim response'))
early = b.final(mid, 1.5)
check('b-waits', early is None, "B's lock is %s 1.5 s later, while A holds the range"
      % ('unanswered' if early is None else 'answered ' + early.describe()))
r = a.final(a.send_lock(af, 0, 10, UN), 10)
fin = early or b.final(mid, 10)
check('b-granted', r is not None and r.status == 0 and fin is not None and fin.status == 0
      and fin.is_async and im is not None and fin.async_id == im.async_id and fin.sig_ok is True,
      "A unlocks (%s); B's pending lock completes: %s%s" % (
          status_name(r.status if r else None), fin.describe() if fin else 'no response',
          ', signature verified' if fin and fin.sig_ok else ''))

# B holds the range now; A's lock waits, and is cancelled
mid = a.send_lock(af, 0, 10, EX)
im = a.interim(mid, 10)
check('a-pending', im is not None and im.is_async and im.async_id,
      "A's lock of the range B now holds goes pending: %s" % (im.describe() if im else
                                                             'no interim response'))
aid = im.async_id if im is not None else 0
a.send_cancel(mid, async_id=aid, sign=False)
r = a.final(mid, 1.5)
check('unsigned-cancel', r is None, 'an unsigned CANCEL (async form) leaves it pending: %s'
      % ('unanswered 1.5 s later' if r is None else 'answered ' + r.describe()))
a.send_cancel(mid, async_id=aid, sign=True, corrupt=True)
r = r or a.final(mid, 1.5)
check('badsig-cancel', r is None, 'a CANCEL with a wrong signature leaves it pending: %s'
      % ('unanswered 1.5 s later' if r is None else 'answered ' + r.describe()))
a.send_cancel(mid, async_id=aid, sign=True)
r = r or a.final(mid, 10)
check('cancelled', r is not None and r.status == STATUS_CANCELLED and r.sig_ok is True,
      'a signed CANCEL by AsyncId %d ends it: %s%s'
      % (aid, r.describe() if r else 'no response',
         ', signature verified' if r and r.sig_ok else ''))

mid = a.send_lock(af, 0, 10, EX)
im = a.interim(mid, 10)
a.s3.cancel(mid)  # impacket's own CANCEL: the sync form, by MessageId, signed by impacket
r = a.final(mid, 10)
check('cancelled-by-mid', im is not None and r is not None and r.status == STATUS_CANCELLED
      and r.sig_ok is True,
      "another pending lock (%s), ended by impacket's CANCEL by MessageId %d: %s" % (
          'interim came' if im else 'NO interim', mid, r.describe() if r else 'no response'))

r = a.final(a.send_lock(af, 0, 10, EX | NOW), 10)
check('still-held', r is not None and r.status == STATUS_LOCK_NOT_GRANTED,
      "the cancelled locks took nothing: A's FAIL_IMMEDIATELY lock is %s"
      % (r.describe() if r else 'no response'))
r = b.final(b.send_lock(bf, 0, 10, UN), 10)
ca, cb = a.close(af), b.close(bf)
check('unlocked',
      r is not None and r.status == 0 and ca and cb and ca.status == 0 and cb.status == 0,
      'B unlocks (%s), both close (%s, %s)' % (status_name(r.status if r else None),
                                              status_name(ca.status if ca else None),
                                              status_name(cb.status if cb else None)))
check.all_signed('all-signed', (a, b))
a.logoff()
b.logoff()
PY

# ---- what signetd saw ----
n=$(grep -c "logged on '\(alice\|bob\)'.*(required)" stderr.txt || true)
if [ "$n" -ge 8 ]; then
    ok "signetd logged $n signing-required logons of alice and bob (two per part)"
else
    bad "signetd logged $n signing-required logons of alice and bob, want 8"
fi
for what in "unsigned request" "bad signature"; do
    if grep -q "$what on session .*(CANCEL): dropped" stderr.txt; then
        ok "signetd logged the refused CANCEL: $(grep "$what on session .*(CANCEL)" stderr.txt |
            tail -n 1 | sed 's/^signetd\[[0-9]*\]: [a-z]*: //')"
    else
        bad "no '$what ... (CANCEL)' line in signetd's log"
    fi
done

if kill -0 "$PID"; then ok "signetd still running"; else bad "signetd died"; fi
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
if [ "$rc" -eq 0 ]; then ok "SIGTERM: exit 0"; else bad "SIGTERM: exit $rc"; fi
if grep -qiE "leak|asan|runtime error|sanitizer" stderr.txt; then
    bad "sanitizer report in signetd's log"
else
    ok "no sanitizer report in signetd's log"
fi
if [ "$FAILS" -ne 0 ]; then
    for f in sharemode oplock lease lock; do echo "--- $f.txt"; cat "$f.txt"; done
    echo "--- signetd stderr (tail)"
    tail -n 40 stderr.txt
fi
echo "server_two_clients: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
