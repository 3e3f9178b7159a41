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
#     MessageId) ends the next one;
#  5. durable handles: a client killed while it holds one is reclaimed by
#     a reconnecting client. Three python clients of alice's each open a
#     file asking for a durable handle - DHnQ with a batch oplock; DH2Q (a
#     CreateGuid, a 45 s timeout) with an RWH lease, under a ClientGuid of
#     their own; DH2Q with a batch oplock - see the durable context in the
#     response, write, and block without closing. The script kills each
#     with SIGKILL by its pid (no CLOSE, no LOGOFF: its TCP connection just
#     drops) and waits for signetd to log that it kept the open. Then, from
#     new connections and sessions: bob's DHnC is STATUS_ACCESS_DENIED and
#     alice's DHnC reclaims the v1 open (same FileId.Persistent, batch
#     oplock, the bytes the killed client wrote read back through it; its
#     CLOSE ends it for good); a DH2C with another CreateGuid is
#     STATUS_OBJECT_NAME_NOT_FOUND and bob's (with alice's ClientGuid, lease
#     key and CreateGuid) STATUS_ACCESS_DENIED, then alice's reclaims the
#     v2 open with its RWH lease (the same ClientGuid: a lease is its
#     client's); bob's open of the third file sharing nothing succeeds at
#     once, closing that disconnected open (it cannot be told of a break),
#     and alice's DH2C then finds nothing.
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
srv_lib_init 4900 4919 PID HOLD_V1 HOLD_V2 HOLD_BROKEN

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
  # the durable opens kept, reclaimed and closed are logged at info (part 5)
  log level = info
  # impacket 0.10 encrypts every SMB 3.0 session of a server that offers
  # encryption, and smb2raw.py reads and verifies signed, unencrypted
  # responses: this script is about signing, share modes and breaks, so
  # encryption is off here (server_encrypt.sh tests it)
  server smb encrypt = off
[share]
  path = $WORK/share
  read only = no
  valid users = alice bob
CONF
srv_lib_start_signetd signet.conf
ok "signetd (pid $PID) on 127.0.0.1:$PORT, signing mandatory"

# report OUT ID...: one check line for each ID, which the python whose
# output is in OUT reports as "check ID ok|FAIL DETAIL"; an id it never
# reports (it died first) fails.
report() {
    out=$1
    shift
    for id in "$@"; do
        line=$(grep "^check $id " "$out" | tail -n 1 || true)
        case $line in
            "check $id ok "*) ok "${line#"check $id ok "}" ;;
            "check $id FAIL "*) bad "${line#"check $id FAIL "}" ;;
            *) bad "$id: not reached (see $out: $(tail -n 1 "$out"))" ;;
        esac
    done
}

# py NAME ID...: runs the python on stdin (port and work directory as
# arguments) with its output in NAME.txt, then reports its checks.
py() {
    out=$1.txt
    shift
    timeout 120 /usr/bin/python3 - "$PORT" "$WORK" >"$out" 2>&1 || true
    report "$out" "$@"
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

# ---- 5. durable handles: a client killed while it holds one ----
# holder.py MODE: alice opens dur-MODE.txt asking for a durable handle, v1
# (DHnQ, batch oplock), v2 (DH2Q, RWH lease, its own ClientGuid) or broken
# (DH2Q, batch oplock; another client's open is to end it), writes to it,
# saves what a reconnect needs in state-MODE.json and blocks, holding the
# open, until it is killed (it gives up after two minutes on its own).
cat >holder.py <<'PY'
import json
import os
import sys
import time
from impacket import smb3structs as s2
from smb2raw import (Checks, Client, Created, LEASE_H, LEASE_R, LEASE_W, STATUS_SUCCESS, dh2q,
                     dhnq, lease_name, oplock_name, status_name)

port, work, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
check = Checks()
RWD = s2.FILE_SHARE_READ | s2.FILE_SHARE_WRITE | s2.FILE_SHARE_DELETE
RW = s2.FILE_READ_DATA | s2.FILE_WRITE_DATA | s2.FILE_READ_ATTRIBUTES
BATCH, LEASE = s2.SMB2_OPLOCK_LEVEL_BATCH, s2.SMB2_OPLOCK_LEVEL_LEASE
RWH = LEASE_R | LEASE_W | LEASE_H
TIMEOUT_MS = 45000
name = 'dur-%s.txt' % mode
data = ('written by the %s client that is then killed\n' % mode).encode()
leased = mode == 'v2'
# a lease belongs to its client: the reconnect comes under the same ClientGuid
a = Client(port, 'alice', 'secret', 'share', client_guid=os.urandom(16) if leased else None)
cguid = os.urandom(16) if mode != 'v1' else b'\0' * 16
key = os.urandom(16) if leased else None
dur = dhnq() if mode == 'v1' else dh2q(cguid, TIMEOUT_MS)
cache = dict(oplock=LEASE, lease_key=key, lease_state=RWH) if leased else dict(oplock=BATCH)
c = Created(a.final(a.send_create(name, RW, RWD, disposition=s2.FILE_OVERWRITE_IF,
                                  contexts=[dur], **cache), 10))
if mode == 'v1':
    asked = 'DHnQ, a batch oplock'
    good = c.durable == 1 and c.oplock == BATCH
else:
    asked = 'DH2Q (timeout %d ms), %s' % (TIMEOUT_MS, 'an RWH lease' if leased else 'a batch oplock')
    good = c.durable == 2 and c.durable_timeout == TIMEOUT_MS and c.durable_flags == 0 and (
        c.oplock == LEASE and c.lease_key == key and c.lease_state == RWH if leased
        else c.oplock == BATCH)
check('open', c.status == STATUS_SUCCESS and good and c.msg.sig_ok is True,
      'killed client %s opens %s asking for %s: %s, oplock %s%s, contexts [%s]%s (want the %s '
      'context%s)' % (mode, name, asked, status_name(c.status), oplock_name(c.oplock),
                      ' lease %s' % lease_name(c.lease_state) if leased else '',
                      ' '.join(c.contexts), '' if c.durable != 2 else
                      ', timeout %s ms, flags 0x%x' % (c.durable_timeout, c.durable_flags),
                      'DHnQ' if mode == 'v1' else 'DH2Q', '' if mode == 'v1' else
                      ' granting %d ms, not persistent' % TIMEOUT_MS))
w = a.final(a.write(c.fid, 0, data), 10) if c.fid else None
n = s2.SMB2Write_Response(w.body)['Count'] if w and w.status == STATUS_SUCCESS else None
check('wrote', n == len(data) and w.sig_ok is True,
      'it writes %d bytes and keeps the file open: %s' % (
          len(data), w.describe() + ', %s written' % n if w else 'nothing opened'))
check.all_signed('all-signed', (a,))
state = {'name': name, 'data': data.decode(), 'fid': c.fid.hex() if c.fid else '00' * 16,
         'persistent': c.persistent or 0, 'create_guid': cguid.hex(),
         'lease_key': key.hex() if key else None, 'client_guid': a.client_guid.hex(),
         'port': a.sock.getsockname()[1]}
with open('%s/state-%s.json.new' % (work, mode), 'w') as f:
    json.dump(state, f)
os.replace('%s/state-%s.json.new' % (work, mode), '%s/state-%s.json' % (work, mode))
print('holding %s: FileId.Persistent 0x%x, local port %d' % (name, state['persistent'],
                                                            state['port']), flush=True)
time.sleep(120)
PY

/usr/bin/python3 holder.py "$PORT" "$WORK" v1 >holder-v1.txt 2>&1 &
HOLD_V1=$!
/usr/bin/python3 holder.py "$PORT" "$WORK" v2 >holder-v2.txt 2>&1 &
HOLD_V2=$!
/usr/bin/python3 holder.py "$PORT" "$WORK" broken >holder-broken.txt 2>&1 &
HOLD_BROKEN=$!

# kill_holder MODE PID: once the holder holds its open, kill it with
# SIGKILL by its pid, report its checks, then wait for signetd to log its
# connection closed, and check that signetd kept the open, by its FileId.
kill_holder() {
    mode=$1
    hpid=$2
    out=holder-$mode.txt
    for _ in $(seq 200); do
        grep -q '^holding ' "$out" && break
        kill -0 "$hpid" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q '^holding ' "$out"; then
        report "$out" open wrote all-signed
        bad "killed client $mode never held its open (see $out: $(tail -n 1 "$out"))"
        return
    fi
    kill -s KILL "$hpid"
    rc=0
    wait "$hpid" || rc=$?
    report "$out" open wrote all-signed
    name=dur-$mode.txt
    fileid=$(sed -n 's/^holding .*FileId.Persistent \(0x[0-9a-f]*\), .*/\1/p' "$out")
    cport=$(sed -n 's/^holding .*local port \([0-9]*\)$/\1/p' "$out")
    if [ "$rc" -eq 137 ]; then
        ok "killed client $mode (pid $hpid, holding $name open, FileId.Persistent $fileid) killed by SIGKILL: exit $rc"
    else
        bad "killed client $mode (pid $hpid): exit $rc, want 137 (SIGKILL)"
    fi
    closed=
    for _ in $(seq 100); do
        closed=$(grep "(127.0.0.1:$cport): closed: " stderr.txt || true)
        [ -n "$closed" ] && break
        sleep 0.1
    done
    kept=
    for _ in $(seq 10); do
        kept=$(grep "durable open of '$name' kept for " stderr.txt || true)
        [ -n "$kept" ] && break
        sleep 0.1
    done
    closed=${closed#*: info: }
    kept=$(echo "$kept" | sed 's/^signetd\[[0-9]*\]: [a-z]*: //')
    case $kept in
        *"(FileId $fileid)")
            ok "signetd saw its connection go ($closed) and kept the open: $kept" ;;
        *) bad "signetd did not keep killed client $mode's open of $name (FileId $fileid):" \
            "${closed:-no line for its connection (port $cport) closed}; ${kept:-no line for it kept}" ;;
    esac
}
kill_holder v1 "$HOLD_V1"
HOLD_V1=
kill_holder v2 "$HOLD_V2"
HOLD_V2=
kill_holder broken "$HOLD_BROKEN"
HOLD_BROKEN=

# v1: bob may not have it; alice, on a new connection, reclaims it
py durable-v1 bob-denied reclaimed read-back closed gone-after-close all-signed <<'PY'
import json
import sys
from impacket import smb3structs as s2
from smb2raw import (Checks, Client, Created, STATUS_ACCESS_DENIED, STATUS_OBJECT_NAME_NOT_FOUND,
                     STATUS_SUCCESS, dhnc, oplock_name, read_data, status_name)

port, work = int(sys.argv[1]), sys.argv[2]
check = Checks()
RWD = s2.FILE_SHARE_READ | s2.FILE_SHARE_WRITE | s2.FILE_SHARE_DELETE
RW = s2.FILE_READ_DATA | s2.FILE_WRITE_DATA | s2.FILE_READ_ATTRIBUTES
BATCH = s2.SMB2_OPLOCK_LEVEL_BATCH
st = json.load(open(work + '/state-v1.json'))
name, fid, wrote = st['name'], bytes.fromhex(st['fid']), st['data'].encode()
what = "the killed client's open of %s (FileId.Persistent 0x%x)" % (name, st['persistent'])

b = Client(port, 'bob', 'hunter2', 'share')
r = b.final(b.send_create(name, RW, RWD, oplock=BATCH, contexts=[dhnc(fid)]), 10)
check('bob-denied', r is not None and r.status == STATUS_ACCESS_DENIED and r.sig_ok is True,
      "bob's DHnC naming %s: %s (want STATUS_ACCESS_DENIED, signed)"
      % (what, r.describe() if r else 'no response'))

a = Client(port, 'alice', 'secret', 'share')
c = Created(a.final(a.send_create(name, RW, RWD, oplock=BATCH, contexts=[dhnc(fid)]), 10))
check('reclaimed', c.status == STATUS_SUCCESS and c.persistent == st['persistent']
      and c.oplock == BATCH and c.msg.sig_ok is True,
      "then alice's DHnC from a new connection (%s ClientGuid) and session reclaims %s: %s, "
      'FileId.Persistent %s, volatile %s (was 0x%s), oplock %s (want BATCH)%s' % (
          'another' if a.client_guid.hex() != st['client_guid'] else 'THE SAME', what,
          status_name(c.status), '0x%x' % c.persistent if c.fid else '-',
          '0x%x' % c.volatile if c.fid else '-', fid[8:][::-1].hex().lstrip('0') or '0',
          oplock_name(c.oplock), ', signed' if c.msg and c.msg.sig_ok else ''))
r = a.final(a.send_read(c.fid, 0, 4096), 10) if c.fid else None
got = read_data(r)
check('read-back', got == wrote and r.sig_ok is True,
      'it reads through the reclaimed handle what the killed client wrote: %r' % got)
r = a.close(c.fid) if c.fid else None
check.signed_ok('closed', r if r and r.status == STATUS_SUCCESS else None,
                'alice closes the reclaimed handle')
r = a.final(a.send_create(name, RW, RWD, oplock=BATCH, contexts=[dhnc(fid)]), 10)
check('gone-after-close', r is not None and r.status == STATUS_OBJECT_NAME_NOT_FOUND,
      'a DHnC after that CLOSE: %s (want STATUS_OBJECT_NAME_NOT_FOUND)'
      % (r.describe() if r else 'no response'))
check.all_signed('all-signed', (a, b))
a.logoff()
b.logoff()
PY

# v2 with a lease: a wrong CreateGuid, then bob with everything else right,
# are refused and leave it to alice's client
py durable-v2 wrong-guid bob-denied reclaimed read-back closed gone-after-close all-signed <<'PY'
import json
import sys
from impacket import smb3structs as s2
from smb2raw import (Checks, Client, Created, LEASE_H, LEASE_R, LEASE_W, STATUS_ACCESS_DENIED,
                     STATUS_OBJECT_NAME_NOT_FOUND, STATUS_SUCCESS, dh2c, lease_name, oplock_name,
                     read_data, status_name)

port, work = int(sys.argv[1]), sys.argv[2]
check = Checks()
RWD = s2.FILE_SHARE_READ | s2.FILE_SHARE_WRITE | s2.FILE_SHARE_DELETE
RW = s2.FILE_READ_DATA | s2.FILE_WRITE_DATA | s2.FILE_READ_ATTRIBUTES
LEASE = s2.SMB2_OPLOCK_LEVEL_LEASE
RWH = LEASE_R | LEASE_W | LEASE_H
st = json.load(open(work + '/state-v2.json'))
name, fid, wrote = st['name'], bytes.fromhex(st['fid']), st['data'].encode()
cguid, key = bytes.fromhex(st['create_guid']), bytes.fromhex(st['lease_key'])
guid = bytes.fromhex(st['client_guid'])
other = bytes([cguid[0] ^ 0xFF]) + cguid[1:]
lease = dict(oplock=LEASE, lease_key=key, lease_state=RWH)
what = "the killed client's leased open of %s (FileId.Persistent 0x%x)" % (name, st['persistent'])

a = Client(port, 'alice', 'secret', 'share', client_guid=guid)
r = a.final(a.send_create(name, RW, RWD, contexts=[dh2c(fid, other)], **lease), 10)
check('wrong-guid', r is not None and r.status == STATUS_OBJECT_NAME_NOT_FOUND and r.sig_ok is True,
      "alice's DH2C naming %s with another CreateGuid: %s (want STATUS_OBJECT_NAME_NOT_FOUND, "
      'signed)' % (what, r.describe() if r else 'no response'))
b = Client(port, 'bob', 'hunter2', 'share', client_guid=guid)
r = b.final(b.send_create(name, RW, RWD, contexts=[dh2c(fid, cguid)], **lease), 10)
check('bob-denied', r is not None and r.status == STATUS_ACCESS_DENIED and r.sig_ok is True,
      "bob's DH2C with its CreateGuid, ClientGuid and lease key: %s (want STATUS_ACCESS_DENIED, "
      'signed)' % (r.describe() if r else 'no response'))
c = Created(a.final(a.send_create(name, RW, RWD, contexts=[dh2c(fid, cguid)], **lease), 10))
check('reclaimed', c.status == STATUS_SUCCESS and c.persistent == st['persistent']
      and c.oplock == LEASE and c.lease_key == key and c.lease_state == RWH
      and c.msg.sig_ok is True,
      "then alice's DH2C (the right CreateGuid) from a new connection (its ClientGuid) and session "
      'reclaims it: %s, FileId.Persistent %s, oplock %s, lease %s under %s key (want RWH under '
      'its)%s' % (status_name(c.status), '0x%x' % c.persistent if c.fid else '-',
                  oplock_name(c.oplock), lease_name(c.lease_state),
                  'its' if c.lease_key == key else 'no' if c.lease_key is None else 'ANOTHER',
                  ', signed' if c.msg and c.msg.sig_ok else ''))
r = a.final(a.send_read(c.fid, 0, 4096), 10) if c.fid else None
got = read_data(r)
check('read-back', got == wrote and r.sig_ok is True,
      'it reads through the reclaimed handle what the killed client wrote: %r' % got)
r = a.close(c.fid) if c.fid else None
check.signed_ok('closed', r if r and r.status == STATUS_SUCCESS else None,
                'alice closes the reclaimed handle')
r = a.final(a.send_create(name, RW, RWD, contexts=[dh2c(fid, cguid)], **lease), 10)
check('gone-after-close', r is not None and r.status == STATUS_OBJECT_NAME_NOT_FOUND,
      'a DH2C after that CLOSE: %s (want STATUS_OBJECT_NAME_NOT_FOUND)'
      % (r.describe() if r else 'no response'))
check.all_signed('all-signed', (a, b))
a.logoff()
b.logoff()
PY

# broken: bob's open sharing nothing needs what the disconnected open caches
py durable-broken conflict-open closed-for-it gone bob-closes all-signed <<'PY'
import json
import sys
import time
from impacket import smb3structs as s2
from smb2raw import (Checks, Client, Created, STATUS_OBJECT_NAME_NOT_FOUND, STATUS_SUCCESS, dh2c,
                     status_name)

port, work = int(sys.argv[1]), sys.argv[2]
check = Checks()
RWD = s2.FILE_SHARE_READ | s2.FILE_SHARE_WRITE | s2.FILE_SHARE_DELETE
RW = s2.FILE_READ_DATA | s2.FILE_WRITE_DATA | s2.FILE_READ_ATTRIBUTES
BATCH = s2.SMB2_OPLOCK_LEVEL_BATCH
st = json.load(open(work + '/state-broken.json'))
name, fid, cguid = st['name'], bytes.fromhex(st['fid']), bytes.fromhex(st['create_guid'])

b = Client(port, 'bob', 'hunter2', 'share')
t0 = time.monotonic()
bo = Created(b.final(b.send_create(name, RW, 0), 5))
took = time.monotonic() - t0
check('conflict-open', bo.status == STATUS_SUCCESS and bo.msg.sig_ok is True,
      "bob opens %s for writing, sharing nothing, while the killed client's disconnected open "
      '(batch oplock, FileId.Persistent 0x%x) holds it: %s after %.2f s (want STATUS_SUCCESS at '
      'once: that open cannot be told of a break)%s' % (
          name, st['persistent'], status_name(bo.status), took,
          ', signed' if bo.msg and bo.msg.sig_ok else ''))
want = "disconnected durable open of '%s' closed: another open needs what it caches" % name
log = open(work + '/stderr.txt', errors='replace').read()
check('closed-for-it', want in log,
      "signetd closed the disconnected open for it: '%s' %s in its log"
      % (want, 'is' if want in log else 'is NOT'))
a = Client(port, 'alice', 'secret', 'share')
r = a.final(a.send_create(name, RW, RWD, oplock=BATCH, contexts=[dh2c(fid, cguid)]), 10)
check('gone', r is not None and r.status == STATUS_OBJECT_NAME_NOT_FOUND and r.sig_ok is True,
      "then alice's DH2C naming it (the right FileId and CreateGuid): %s (want "
      'STATUS_OBJECT_NAME_NOT_FOUND, signed)' % (r.describe() if r else 'no response'))
r = b.close(bo.fid) if bo.fid else None
check.signed_ok('bob-closes', r if r and r.status == STATUS_SUCCESS else None, 'bob closes')
check.all_signed('all-signed', (a, b))
a.logoff()
b.logoff()
PY

# ---- what signetd saw ----
n=$(grep -c "logged on '\(alice\|bob\)'.*(required)" stderr.txt || true)
# two in each of parts 1-4; in part 5 one per killed client and two per reconnecting part
if [ "$n" -ge 17 ]; then
    ok "signetd logged $n signing-required logons of alice and bob (two per part, 9 in part 5)"
else
    bad "signetd logged $n signing-required logons of alice and bob, want 17"
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
    for f in sharemode oplock lease lock holder-v1 holder-v2 holder-broken durable-v1 durable-v2 \
        durable-broken; do
        echo "--- $f.txt"
        cat "$f.txt" 2>/dev/null || true
    done
    echo "--- signetd stderr (tail)"
    tail -n 40 stderr.txt
fi
echo "server_two_clients: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
