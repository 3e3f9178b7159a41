"""The attackers of tests/interop/server_hostile.sh: raw SMB2 over one or
more TCP connections to signetd on loopback, each for a bounded time.

  flood PORT SECONDS        one connection pipelines SESSION_SETUPs whose
                            security token is junk (each a failed logon)
                            as fast as the socket takes them
  guess PORT SECONDS USER   one connection tries real NTLMv2 passwords for
                            USER: 200 NEGOTIATE legs pipelined, then their
                            AUTHENTICATEs (the guesses) pipelined
  lockout PORT USER N [SRC] N wrong passwords for USER, one connection each
                            (so no per-connection delay slows them), then
                            the right one ('secret'): prints its status
  slots PORT N SECONDS [SRC] N connections each NEGOTIATE and one
                            SESSION_SETUP round, then silent; prints how
                            many of them signetd still holds after SECONDS
  silent PORT SECONDS       a TCP connection that sends nothing
  opens PORT N SECONDS      alice opens one file N times and keeps them
  slowread PORT N SECONDS   N connections of alice's ask for 40 MiB each in
                            READs and read none of the answers
  trickle PORT SECONDS      after one SESSION_SETUP round, a frame sent one
                            byte a second: prints whether the connection
                            is still open after SECONDS

SRC: a source address, or A.B.C.* for twenty (A.B.C.1-20), in turn.
Each prints one line of figures: key=value pairs. Not a test by itself.
"""
import os
import select
import socket
import struct
import sys
import time

from impacket import ntlm

SESSION_SETUP, NEGOTIATE = 1, 0
STATUS = {0: 'STATUS_SUCCESS', 0xC0000016: 'STATUS_MORE_PROCESSING_REQUIRED',
          0xC000006D: 'STATUS_LOGON_FAILURE', 0xC0000234: 'STATUS_ACCOUNT_LOCKED_OUT',
          0xC000000D: 'STATUS_INVALID_PARAMETER', 0xC00000D0: 'STATUS_REQUEST_NOT_ACCEPTED'}


def hdr(cmd, mid, sid=0, credits=64):
    return (b'\xfeSMB' + struct.pack('<HHIHHII', 64, 0, 0, cmd, credits, 0, 0) +
            struct.pack('<QIIQ', mid, 0, 0, sid) + b'\0' * 16)


def frame(msg):
    return struct.pack('>I', len(msg)) + msg


def negotiate(mid=0):
    body = struct.pack('<HHHHI', 36, 1, 1, 0, 0) + os.urandom(16) + b'\0' * 8
    return frame(hdr(NEGOTIATE, mid) + body + struct.pack('<H', 0x0210))


def session_setup(mid, token, sid=0):
    body = struct.pack('<HBBIIHHQ', 25, 0, 1, 0, 0, 64 + 24, len(token), 0)
    return frame(hdr(SESSION_SETUP, mid, sid) + body + token)


class Conn:
    def __init__(self, port, src=None):
        self.s = socket.socket()
        if src:
            self.s.bind((src, 0))
        self.s.connect(('127.0.0.1', port))
        self.buf = b''

    def recv_frame(self, timeout):
        end = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 4:
                n = struct.unpack('>I', self.buf[:4])[0]
                if len(self.buf) >= 4 + n:
                    f, self.buf = self.buf[4:4 + n], self.buf[4 + n:]
                    return f
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.s], [], [], left)[0]:
                return None
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d

    def call(self, data, timeout=5):
        self.s.sendall(data)
        return self.recv_frame(timeout)


def status(f):
    return struct.unpack('<I', f[8:12])[0]


def sid_of(f):
    return struct.unpack('<Q', f[40:48])[0]


def sec_blob(f):
    off, n = struct.unpack('<HH', f[64 + 4:64 + 8])
    return f[off:off + n]


def flood(port, secs):
    """Pipeline junk SESSION_SETUPs; count what is sent and answered."""
    c = Conn(port)
    c.call(negotiate())
    c.s.setblocking(False)
    sent = answered = 0
    mid = 1
    end = time.monotonic() + secs
    pending = b''
    while time.monotonic() < end:
        _, w, _ = select.select([c.s], [c.s], [], 0.05)
        if w:
            if not pending:
                pending = b''.join(session_setup(m, b'\x60\x03junk') for m in range(mid, mid + 64))
                mid += 64
            try:
                k = c.s.send(pending)
                pending = pending[k:]
                if not pending:
                    sent += 64
            except BlockingIOError:
                pass
            except OSError:
                break
        try:
            while True:
                d = c.s.recv(1 << 20)
                if not d:
                    end = 0
                    break
                answered += d.count(b'\xfeSMB')
        except (BlockingIOError, OSError):
            pass
    c.s.close()
    print(f'sent={sent} answered={answered}')


def ntlm_negotiate_token():
    return ntlm.getNTLMSSPType1('', '', signingRequired=True).getData()


def guess(port, secs, user, batch=200):
    """One connection: the NEGOTIATE legs of a batch of sessions pipelined,
    then their AUTHENTICATEs (wrong passwords) pipelined; count the answers
    to the guesses that come within secs."""
    c = Conn(port)
    c.call(negotiate())
    t1s = [ntlm.getNTLMSSPType1('', '', signingRequired=True) for _ in range(batch)]
    c.s.sendall(b''.join(session_setup(1 + i, t.getData()) for i, t in enumerate(t1s)))
    chal = {}
    for _ in range(batch):
        f = c.recv_frame(5)
        if f is None:
            break
        mid = struct.unpack('<Q', f[24:32])[0]
        if status(f) == 0xC0000016:
            chal[mid] = (sid_of(f), sec_blob(f))
    msgs = []
    for i, t1 in enumerate(t1s):
        if 1 + i in chal:
            sid, blob = chal[1 + i]
            t3, _ = ntlm.getNTLMSSPType3(t1, blob, user, 'guess%d' % i, '')
            msgs.append(session_setup(1 + batch + i, t3.getData(), sid))
    data = b''.join(msgs)
    c.s.setblocking(False)
    end = time.monotonic() + secs
    answers = 0
    while time.monotonic() < end:
        r, w, _ = select.select([c.s], [c.s] if data else [], [], 0.05)
        if w:
            try:
                data = data[c.s.send(data):]
            except (BlockingIOError, OSError):
                pass
        if r:
            try:
                d = c.s.recv(1 << 20)
            except (BlockingIOError, OSError):
                continue
            if not d:
                break
            c.buf += d
            while len(c.buf) >= 4 and len(c.buf) >= 4 + struct.unpack('>I', c.buf[:4])[0]:
                n = struct.unpack('>I', c.buf[:4])[0]
                c.buf = c.buf[4 + n:]
                answers += 1
    c.s.close()
    print(f'guesses_sent={len(msgs)} guesses_answered={answers}')


def one_logon(port, user, password, src=None):
    c = Conn(port, src)
    c.call(negotiate())
    t1 = ntlm.getNTLMSSPType1('', '', signingRequired=True)
    f = c.call(session_setup(1, t1.getData()))
    t3, _ = ntlm.getNTLMSSPType3(t1, sec_blob(f), user, password, '')
    f = c.call(session_setup(2, t3.getData(), sid_of(f)), timeout=15)
    c.s.close()
    return STATUS.get(status(f), hex(status(f))) if f else 'no answer'


def addr(src, i):
    """src, or with src 'A.B.C.*' the i-th of twenty addresses A.B.C.1-20."""
    return src[:-1] + str(i % 20 + 1) if src and src.endswith('*') else src


def lockout(port, user, n, src=None):
    """n wrong passwords, one connection each: 8 at a time from one address
    (its limit of connections not logged on), all at once from 'A.B.C.*'."""
    import threading
    res = []
    wave = n if src and src.endswith('*') else 8
    for w in range(0, n, wave):
        ths = [threading.Thread(target=lambda i=i: res.append(
            one_logon(port, user, 'bad%d' % i, addr(src, i)))) for i in range(w, min(n, w + wave))]
        for t in ths:
            t.start()
        for t in ths:
            t.join()
    fails = sum(1 for r in res if r != 'STATUS_SUCCESS')
    last = one_logon(port, user, 'secret', addr(src, 0))
    print(f'wrong={n} refused={fails} right_password={last}')


def slots(port, n, secs, src=None):
    """n connections that NEGOTIATE and send one SESSION_SETUP round, then
    say nothing; how many are still open after secs."""
    conns = []
    refused = 0
    for i in range(n):
        try:
            c = Conn(port, addr(src, i))
            c.call(negotiate())
            f = c.call(session_setup(1, ntlm_negotiate_token()))
            if f is None:
                raise OSError
            conns.append(c)
        except (OSError, EOFError):
            refused += 1
    time.sleep(secs)
    alive = 0
    for c in conns:
        try:
            r, _, _ = select.select([c.s], [], [], 0)
            if not r or c.s.recv(1, socket.MSG_PEEK):
                alive += 1
        except OSError:
            pass
        c.s.close()
    print(f'connections={n} held={len(conns)} refused={refused} open_after={alive}')


def silent(port, secs):
    """A TCP connection that never sends NEGOTIATE: still open after secs?"""
    c = Conn(port)
    r, _, _ = select.select([c.s], [], [], secs)
    try:
        alive = not r or bool(c.s.recv(1, socket.MSG_PEEK))
    except OSError:
        alive = False
    print(f'open_after={"yes" if alive else "no"}')


def opens(port, n, secs):
    """As alice: n opens of one file, kept; secs later, how many succeeded
    and how many were STATUS_TOO_MANY_OPENED_FILES."""
    from impacket.smbconnection import SMBConnection, SessionError
    conn = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=port)
    conn.login('alice', 'secret')
    tid = conn.connectTree('share')
    got = refused = other = 0
    for _ in range(n):
        try:
            conn.openFile(tid, 'victim.txt', desiredAccess=0x1, shareMode=0x7)
            got += 1
        except SessionError as e:
            if e.getErrorCode() == 0xC000011F:
                refused += 1
            else:
                other += 1
    time.sleep(secs)
    print(f'opens={n} granted={got} too_many_opened_files={refused} other_errors={other}')


def slowread(port, nconn, secs, mib=40):
    """nconn connections of alice's, each asking for mib MiB of big.bin in
    64 KiB READs and reading none of the answers for secs."""
    import threading
    from impacket import smb3structs as s2
    from impacket.smbconnection import SMBConnection
    sent = []
    closed = []

    def one():
        conn = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=port)
        conn.login('alice', 'secret')
        tid = conn.connectTree('share')
        fid = conn.openFile(tid, 'big.bin', desiredAccess=0x1, shareMode=0x7)
        smb = conn.getSMBServer()
        smb._NetBIOSSession.get_socket().setblocking(False)
        n = 0
        end = time.monotonic() + secs
        for i in range(mib * 16):
            pkt = s2.SMB2Packet()
            pkt['Command'] = s2.SMB2_READ
            pkt['TreeID'] = tid
            r = s2.SMB2Read()
            r['FileID'] = fid
            r['Length'] = 65536
            r['Offset'] = (i % 128) * 65536
            pkt['Data'] = r
            try:
                smb.sendSMB(pkt)
                n += 1
            except Exception:  # the socket is full: signetd stopped reading
                break
            if time.monotonic() > end:
                break
        sent.append(n)
        time.sleep(max(0, end - time.monotonic()))
        sock = smb._NetBIOSSession.get_socket()
        # closed by signetd? Drain what it sent for up to 2 s: EOF says so
        stop = time.monotonic() + 2
        while time.monotonic() < stop:
            if not select.select([sock], [], [], 0.2)[0]:
                continue
            try:
                if not sock.recv(1 << 20):
                    closed.append(1)
                    break
            except BlockingIOError:
                continue
            except OSError:
                closed.append(1)
                break
        sock.close()

    ths = [threading.Thread(target=one) for _ in range(nconn)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    print(f'connections={nconn} reads_sent={sum(sent)} asked_mib={sum(sent) // 16} '
          f'closed_by_server={len(closed)}')


def trickle(port, secs):
    c = Conn(port)
    c.call(negotiate())
    f = c.call(session_setup(1, ntlm_negotiate_token()))
    data = session_setup(2, b'\x60\x03junk', sid_of(f))
    end = time.monotonic() + secs
    i = 0
    alive = True
    while time.monotonic() < end and i < len(data) - 1:
        try:
            c.s.send(data[i:i + 1])
        except OSError:
            alive = False
            break
        i += 1
        r, _, _ = select.select([c.s], [], [], 1)
        if r and not c.s.recv(1, socket.MSG_PEEK):
            alive = False
            break
    print(f'bytes_trickled={i} open_after={"yes" if alive else "no"}')


if __name__ == '__main__':
    a = sys.argv[1:]
    if a[0] == 'flood':
        flood(int(a[1]), float(a[2]))
    elif a[0] == 'guess':
        guess(int(a[1]), float(a[2]), a[3])
    elif a[0] == 'lockout':
        lockout(int(a[1]), a[2], int(a[3]), a[4] if len(a) > 4 else None)
    elif a[0] == 'slots':
        slots(int(a[1]), int(a[2]), float(a[3]), a[4] if len(a) > 4 else None)
    elif a[0] == 'opens':
        opens(int(a[1]), int(a[2]), float(a[3]))
    elif a[0] == 'slowread':
        slowread(int(a[1]), int(a[2]), float(a[3]))
    elif a[0] == 'silent':
        silent(int(a[1]), float(a[2]))
    elif a[0] == 'trickle':
        trickle(int(a[1]), float(a[2]))
