"""SMB2 requests and responses at message level, on impacket's sessions.

impacket (0.10) logs on, signs what it sends and connects trees, but its
receive loop swallows interim (STATUS_PENDING) responses and files oplock
and lease break notifications away under MessageId 0xFFFFFFFFFFFFFFFF,
and it has no call for breaks, acknowledgments, lease contexts or waiting
locks (its lock() does not run on Python 3). So: impacket's session for
the logon, the tree and the signing of each request (SMB3.sendSMB), and
here the rest: building CREATE (with lease and durable handle contexts),
CLOSE, READ, WRITE, LOCK, OPLOCK_BREAK and CANCEL from impacket's
structures, and reading the connection's frames ourselves, each response's
signature verified with the session's key. A client may negotiate with a
ClientGuid of its choosing (impacket draws one at random), so that a new
connection can reclaim a leased durable open as the same client.

Imported by the python parts of tests/interop/server_two_clients.sh
(through PYTHONPATH); not a script of its own.
"""
import hashlib
import hmac
import select
import struct
import time

from impacket import crypto
from impacket import smb3
from impacket import smb3structs as s2
from impacket.smbconnection import SMBConnection

NOTIFY_MID = 0xFFFFFFFFFFFFFFFF  # MessageId of an unsolicited break notification

STATUS_SUCCESS = 0x00000000
STATUS_PENDING = 0x00000103
STATUS_CANCELLED = 0xC0000120
STATUS_SHARING_VIOLATION = 0xC0000043
STATUS_LOCK_NOT_GRANTED = 0xC0000055
STATUS_ACCESS_DENIED = 0xC0000022
STATUS_OBJECT_NAME_NOT_FOUND = 0xC0000034

STATUS_NAMES = {
    STATUS_SUCCESS: 'STATUS_SUCCESS',
    STATUS_PENDING: 'STATUS_PENDING',
    STATUS_CANCELLED: 'STATUS_CANCELLED',
    STATUS_SHARING_VIOLATION: 'STATUS_SHARING_VIOLATION',
    STATUS_LOCK_NOT_GRANTED: 'STATUS_LOCK_NOT_GRANTED',
    STATUS_ACCESS_DENIED: 'STATUS_ACCESS_DENIED',
    0xC000007E: 'STATUS_RANGE_NOT_LOCKED',
    0xC000000D: 'STATUS_INVALID_PARAMETER',
    0xC00000E3: 'STATUS_INVALID_OPLOCK_PROTOCOL',
    STATUS_OBJECT_NAME_NOT_FOUND: 'STATUS_OBJECT_NAME_NOT_FOUND',
    0xC0000054: 'STATUS_FILE_LOCK_CONFLICT',
    0xC00000D0: 'STATUS_REQUEST_NOT_ACCEPTED',
    0xC0000001: 'STATUS_UNSUCCESSFUL',
    0xC0000128: 'STATUS_FILE_CLOSED',
}

OPLOCK_NAMES = {0x00: 'NONE', 0x01: 'LEVEL_II', 0x08: 'EXCLUSIVE', 0x09: 'BATCH', 0xFF: 'LEASE'}

LEASE_R = s2.SMB2_LEASE_READ_CACHING
LEASE_H = s2.SMB2_LEASE_HANDLE_CACHING
LEASE_W = s2.SMB2_LEASE_WRITE_CACHING
LEASE_BREAK_FLAG_ACK_REQUIRED = 0x01


def status_name(code):
    if code is None:
        return 'no response'
    return STATUS_NAMES.get(code, '0x%08x' % code)


def lease_name(state):
    if state is None:
        return 'none'
    s = ''.join(c for c, bit in (('R', LEASE_R), ('W', LEASE_W), ('H', LEASE_H)) if state & bit)
    return s or '0'


def oplock_name(level):
    return OPLOCK_NAMES.get(level, '0x%02x' % level) if level is not None else 'none'


class Msg:
    """One message from the server: its header's fields, body and signature verdict."""

    def __init__(self, raw, sig_ok):
        (self.credit_charge, self.status, self.command, self.credits, self.flags,
         self.next_command, self.mid) = struct.unpack_from('<HIHHIIQ', raw, 6)
        self.is_async = bool(self.flags & s2.SMB2_FLAGS_ASYNC_COMMAND)
        self.async_id = struct.unpack_from('<Q', raw, 32)[0] if self.is_async else None
        self.tree_id = None if self.is_async else struct.unpack_from('<I', raw, 36)[0]
        self.session_id = struct.unpack_from('<Q', raw, 40)[0]
        self.signed = bool(self.flags & s2.SMB2_FLAGS_SIGNED)
        self.sig_ok = sig_ok  # None: not signed
        self.raw = raw
        self.body = raw[64:]

    @property
    def is_break(self):
        return self.mid == NOTIFY_MID and self.command == s2.SMB2_OPLOCK_BREAK

    def describe(self):
        return '%s mid %s%s%s' % (
            status_name(self.status), 'notify' if self.mid == NOTIFY_MID else self.mid,
            ' async %d' % self.async_id if self.is_async else '',
            ' signed' if self.signed else ' unsigned')


class _SMB3WithGuid(smb3.SMB3):
    """impacket's SMB3 connection, negotiating (2.0.2, 2.1, 3.0, as impacket
    does) with the ClientGuid given: impacket's constructor draws one at
    random and negotiates at once, so it is set in negotiateSession."""

    def __init__(self, guid, port, timeout):
        self._guid = guid
        smb3.SMB3.__init__(self, '127.0.0.1', '127.0.0.1', sess_port=port, timeout=timeout)

    def negotiateSession(self, preferredDialect=None, negSessionResponse=None):
        self.ClientGuid = self._guid
        return smb3.SMB3.negotiateSession(self, preferredDialect, negSessionResponse)


class Client:
    """One client: its own TCP connection, ClientGuid, session and tree.
    client_guid: 16 bytes to negotiate with (default: impacket's own)."""

    def __init__(self, port, user, password, share, timeout=20, client_guid=None):
        if client_guid is None:
            self.conn = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=port, timeout=timeout)
        else:
            self.conn = SMBConnection(existingConnection=_SMB3WithGuid(client_guid, port, timeout))
        self.conn.login(user, password)
        self.s3 = self.conn.getSMBServer()
        self.tid = self.s3.connectTree(share)
        self.sock = self.s3._NetBIOSSession.get_socket()
        self.inbox = []  # read, not yet asked for
        self.seen = []  # every message read

    # ---- what impacket set up ----
    @property
    def dialect(self):
        return self.s3.getDialect()

    @property
    def signing_required(self):
        return self.conn.isSigningRequired()

    @property
    def signing_active(self):
        return self.s3._Session['SigningActivated'] is True

    @property
    def session_id(self):
        return self.s3._Session['SessionID']

    @property
    def client_guid(self):
        g = self.s3.ClientGuid
        return g.encode('latin-1') if isinstance(g, str) else bytes(g)

    # ---- signatures ----
    def _mac(self, data):
        data = data[:48] + b'\0' * 16 + data[64:]
        if self.dialect >= s2.SMB2_DIALECT_30:
            return crypto.AES_CMAC(self.s3._Session['SigningKey'], data, len(data))
        return hmac.new(self.s3._Session['SessionKey'], data, hashlib.sha256).digest()[:16]

    def verify(self, raw):
        """None when the message is not signed, else whether its signature is right."""
        flags = struct.unpack_from('<I', raw, 16)[0]
        if not flags & s2.SMB2_FLAGS_SIGNED:
            return None
        return hmac.compare_digest(self._mac(raw), raw[48:64])

    # ---- sending ----
    def send(self, command, body):
        """A request on the tree, signed by impacket; returns its MessageId."""
        pkt = self.s3.SMB_PACKET()
        pkt['Command'] = command
        pkt['TreeID'] = self.tid
        pkt['Data'] = body
        return self.s3.sendSMB(pkt)

    def send_cancel(self, mid=None, async_id=None, sign=True, corrupt=False):
        """CANCEL ([MS-SMB2] 2.2.30): the async form names async_id, the sync
        form mid. Built here so that it can go unsigned or with a wrong
        signature; it takes no MessageId of its own and gets no response."""
        flags = s2.SMB2_FLAGS_ASYNC_COMMAND if async_id is not None else 0
        if sign:
            flags |= s2.SMB2_FLAGS_SIGNED
        hdr = struct.pack('<4sHHIHHIIQ', b'\xfeSMB', 64, 0, 0, s2.SMB2_CANCEL, 0, flags, 0,
                          mid or 0)
        if async_id is not None:
            hdr += struct.pack('<Q', async_id)
        else:
            hdr += struct.pack('<II', 0, 0)
        hdr += struct.pack('<Q', self.session_id) + b'\0' * 16
        msg = hdr + struct.pack('<HH', 4, 0)
        if sign:
            mac = self._mac(msg)
            if corrupt:
                mac = bytes([mac[0] ^ 0x01]) + mac[1:]
            msg = msg[:48] + mac + msg[64:]
        self.s3._NetBIOSSession.send_packet(msg)

    # ---- receiving ----
    def _read_frame(self, timeout):
        ready, _, _ = select.select([self.sock], [], [], max(timeout, 0))
        if not ready:
            return None
        self.sock.settimeout(20)
        head = self._read_exact(4)
        length = struct.unpack('>I', head)[0] & 0xFFFFFF
        return self._read_exact(length)

    def _read_exact(self, n):
        data = b''
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError('server closed the connection')
            data += chunk
        return data

    def _pull(self, timeout):
        raw = self._read_frame(timeout)
        if raw is None:
            return None
        msg = Msg(raw, self.verify(raw))
        self.inbox.append(msg)
        self.seen.append(msg)
        return msg

    def _take(self, pred, timeout):
        deadline = time.monotonic() + timeout
        while True:
            for m in self.inbox:
                if pred(m):
                    self.inbox.remove(m)
                    return m
            if self._pull(deadline - time.monotonic()) is None:
                return None

    def interim(self, mid, timeout):
        """The interim (STATUS_PENDING) response to mid, or None."""
        return self._take(lambda m: m.mid == mid and m.status == STATUS_PENDING, timeout)

    def final(self, mid, timeout):
        """The final response to mid (interim ones are left aside), or None."""
        return self._take(lambda m: m.mid == mid and m.status != STATUS_PENDING, timeout)

    def brk(self, timeout):
        """The next oplock or lease break notification, or None."""
        return self._take(lambda m: m.is_break, timeout)

    def call(self, command, body, timeout=10):
        return self.final(self.send(command, body), timeout)

    # ---- requests ----
    def create_req(self, name, access, share, disposition=s2.FILE_OPEN, oplock=0,
                   lease_key=None, lease_state=0, contexts=()):
        """contexts: further create contexts (create_context()), after the lease's."""
        req = s2.SMB2Create()
        req['SecurityFlags'] = 0
        req['RequestedOplockLevel'] = oplock
        req['ImpersonationLevel'] = s2.SMB2_IL_IMPERSONATION
        req['DesiredAccess'] = access
        req['FileAttributes'] = 0
        req['ShareAccess'] = share
        req['CreateDisposition'] = disposition
        req['CreateOptions'] = s2.FILE_NON_DIRECTORY_FILE
        buf = name.encode('utf-16-le')
        req['NameLength'] = len(buf)
        ctxs = list(contexts)
        if lease_key is not None:
            ctxs.insert(0, lease_context(lease_key, lease_state, self.dialect >= s2.SMB2_DIALECT_30))
        if not ctxs:
            req['Buffer'] = buf
            req['CreateContextsOffset'] = 0
            req['CreateContextsLength'] = 0
            return req
        ctx = context_chain(ctxs)
        off = 64 + s2.SMB2Create.SIZE + len(buf)
        pad = (8 - off % 8) % 8
        req['Buffer'] = buf + b'\0' * pad + ctx
        req['CreateContextsOffset'] = off + pad
        req['CreateContextsLength'] = len(ctx)
        return req

    def send_create(self, name, access, share, **kw):
        return self.send(s2.SMB2_CREATE, self.create_req(name, access, share, **kw))

    def close(self, fid):
        req = s2.SMB2Close()
        req['FileID'] = fid
        return self.call(s2.SMB2_CLOSE, req)

    def send_read(self, fid, offset, length):
        req = s2.SMB2Read()
        req['FileID'] = fid
        req['Offset'] = offset
        req['Length'] = length
        return self.send(s2.SMB2_READ, req)

    def write(self, fid, offset, data):
        req = s2.SMB2Write()
        req['FileID'] = fid
        req['Offset'] = offset
        req['Length'] = len(data)
        req['Buffer'] = data
        return self.send(s2.SMB2_WRITE, req)

    def send_lock(self, fid, offset, length, flags):
        el = s2.SMB2_LOCK_ELEMENT()
        el['Offset'] = offset
        el['Length'] = length
        el['Flags'] = flags
        req = s2.SMB2Lock()
        req['FileID'] = fid
        req['LockCount'] = 1
        req['LockSequence'] = 0
        req['Locks'] = el.getData()
        return self.send(s2.SMB2_LOCK, req)

    def send_oplock_ack(self, fid, level):
        req = s2.SMB2OplockBreakAcknowledgment()
        req['OplockLevel'] = level
        req['FileID'] = fid
        return self.send(s2.SMB2_OPLOCK_BREAK, req)

    def send_lease_ack(self, key, state):
        req = s2.SMB2LeaseBreakAcknowledgement()
        req['LeaseKey'] = key
        req['LeaseState'] = state
        return self.send(s2.SMB2_OPLOCK_BREAK, req)

    def logoff(self):
        try:
            self.conn.logoff()
        except Exception:
            pass
        try:
            self.conn.close()
        except Exception:
            pass


def create_context(name, data):
    """One create context ([MS-SMB2] 2.2.13.2), a 4-byte name; its Next
    field is filled in by context_chain."""
    # Next, NameOffset 16, NameLength 4, Reserved, DataOffset 24, DataLength
    return struct.pack('<IHHHHI', 0, 16, len(name), 0, 24, len(data)) + name + b'\0' * 4 + data


def context_chain(ctxs):
    """Create contexts one after another, each but the last padded to 8 bytes."""
    out = b''
    for i, c in enumerate(ctxs):
        if i < len(ctxs) - 1:
            c += b'\0' * ((8 - len(c) % 8) % 8)
            c = struct.pack('<I', len(c)) + c[4:]
        out += c
    return out


def dhnq():
    """A durable handle request, v1 ("DHnQ", 2.2.13.2.3): 16 reserved bytes."""
    return create_context(b'DHnQ', s2.SMB2_CREATE_DURABLE_HANDLE_REQUEST().getData())


def dh2q(create_guid, timeout_ms, flags=0):
    """A durable handle request, v2 ("DH2Q", 2.2.13.2.11)."""
    data = s2.SMB2_CREATE_DURABLE_HANDLE_REQUEST_V2()
    data['Timeout'] = timeout_ms
    data['Flags'] = flags
    data['Reserved'] = b'\0' * 8
    data['CreateGuid'] = create_guid
    return create_context(b'DH2Q', data.getData())


def dhnc(fid):
    """A durable handle reconnect, v1 ("DHnC", 2.2.13.2.4): the FileId."""
    data = s2.SMB2_CREATE_DURABLE_HANDLE_RECONNECT()
    data['Data'] = fid
    return create_context(b'DHnC', data.getData())


def dh2c(fid, create_guid, flags=0):
    """A durable handle reconnect, v2 ("DH2C", 2.2.13.2.12)."""
    data = s2.SMB2_CREATE_DURABLE_HANDLE_RECONNECT_V2()
    data['FileID'] = fid
    data['CreateGuid'] = create_guid
    data['Flags'] = flags
    return create_context(b'DH2C', data.getData())


def read_data(msg):
    """The bytes of a READ response (None unless it succeeded)."""
    if msg is None or msg.status != STATUS_SUCCESS:
        return None
    rsp = s2.SMB2Read_Response(msg.body)
    return msg.raw[rsp['DataOffset']:rsp['DataOffset'] + rsp['DataLength']]


def lease_context(key, state, v2):
    """The "RqLs" create context ([MS-SMB2] 2.2.13.2.8, .10)."""
    if v2:
        data = s2.SMB2_CREATE_REQUEST_LEASE_V2()
        data['Flags'] = 0
        data['ParentLeaseKey'] = b'\0' * 16
        data['Epoch'] = 0
    else:
        data = s2.SMB2_CREATE_REQUEST_LEASE()
        data['LeaseFlags'] = 0
    data['LeaseKey'] = key
    data['LeaseState'] = state
    data['LeaseDuration'] = 0
    return create_context(b'RqLs', data.getData())


class Created:
    """A CREATE response: FileId, oplock level, and the lease and durable
    handle contexts, if any (durable: 1 for DHnQ, 2 for DH2Q)."""

    def __init__(self, msg):
        self.msg = msg
        self.status = msg.status if msg else None
        self.fid = None
        self.oplock = None
        self.lease_key = self.lease_state = self.lease_epoch = None
        self.durable = self.durable_timeout = self.durable_flags = None
        self.contexts = []  # the names of the response's contexts
        if not msg or msg.status != STATUS_SUCCESS:
            return
        rsp = s2.SMB2Create_Response(msg.body)
        self.fid = rsp['FileID'].getData()
        self.oplock = rsp['OplockLevel']
        off, length = rsp['CreateContextsOffset'], rsp['CreateContextsLength']
        ctxs = msg.raw[off:off + length] if off else b''
        while ctxs:
            nxt, noff, nlen, _, doff, dlen = struct.unpack_from('<IHHHHI', ctxs, 0)
            name, data = ctxs[noff:noff + nlen], ctxs[doff:doff + dlen]
            self.contexts.append(name.decode('ascii', 'replace'))
            if name == b'DHnQ' and len(data) == 8:
                self.durable = 1
            if name == b'DH2Q' and len(data) == 8:
                self.durable = 2
                self.durable_timeout, self.durable_flags = struct.unpack('<II', data)
            if name == b'RqLs' and len(data) >= 32:
                self.lease_key = data[:16]
                self.lease_state = struct.unpack_from('<I', data, 16)[0]
                if len(data) >= 52:
                    self.lease_epoch = struct.unpack_from('<H', data, 48)[0]
            if not nxt:
                break
            ctxs = ctxs[nxt:]

    @property
    def persistent(self):
        """FileId.Persistent, or None."""
        return struct.unpack_from('<Q', self.fid, 0)[0] if self.fid else None

    @property
    def volatile(self):
        return struct.unpack_from('<Q', self.fid, 8)[0] if self.fid else None


class Break:
    """An oplock break notification (24 bytes) or a lease break notification (44)."""

    def __init__(self, msg):
        self.msg = msg
        self.size = struct.unpack_from('<H', msg.body, 0)[0] if msg else None
        self.oplock = self.fid = None
        self.lease_key = self.current = self.new = self.epoch = self.flags = None
        if self.size == 24:
            n = s2.SMB2OplockBreakNotification(msg.body)
            self.oplock = n['OplockLevel']
            self.fid = n['FileID'].getData()
        elif self.size == 44:
            n = s2.SMB2LeaseBreakNotification(msg.body)
            self.epoch = n['NewEpoch']
            self.flags = n['Flags']
            self.lease_key = n['LeaseKey']
            self.current = n['CurrentLeaseState']
            self.new = n['NewLeaseState']


class Checks:
    """Prints "check NAME ok|FAIL detail" lines for the shell script to count."""

    def __init__(self):
        self.failed = 0

    def __call__(self, name, good, detail=''):
        print('check %s %s %s' % (name, 'ok' if good else 'FAIL', detail), flush=True)
        if not good:
            self.failed += 1
        return good

    def all_signed(self, name, clients):
        """Every final response the clients read was signed, and signed right
        (interim responses and break notifications, which a client does not
        verify, [MS-SMB2] 3.2.5.1.3, are only counted)."""
        seen = [m for c in clients for m in c.seen]
        final = [m for m in seen if m.mid != NOTIFY_MID and m.status != STATUS_PENDING]
        bad = [m for m in final if not (m.signed and m.sig_ok is True)]
        interim = [m for m in seen if m.status == STATUS_PENDING]
        breaks = [m for m in seen if m.is_break]
        return self(name, final and not bad,
                    'the %d final responses A and B read here: all signed, signatures verified%s '
                    '(%d of %d interim responses and %d of %d break notifications signed)'
                    % (len(final), '' if not bad else '; NOT: ' +
                       ', '.join(m.describe() for m in bad[:3]),
                       sum(m.signed for m in interim), len(interim),
                       sum(m.signed for m in breaks), len(breaks)))

    def signed_ok(self, name, msg, what):
        """A final response on a signing session: signed, and signed right."""
        if msg is None:
            return self(name, False, '%s: no response' % what)
        return self(name, msg.signed and msg.sig_ok is True,
                    '%s: %s, signature %s' % (what, msg.describe(),
                                               {True: 'verified', False: 'WRONG',
                                                None: 'absent'}[msg.sig_ok]))
