#!/usr/bin/python3
"""Build the fuzz seed corpora in tests/fuzz/corpus/<family>/ from REAL traffic.

How the committed corpus was made (this script is NOT run by the test suite; it
needs root, samba, smbclient and tshark -- see ../../shared/peers.md):

 1. A standalone Samba smbd is started on 127.0.0.1:PORT (first free port from
    4455 up) with every directory under a fresh temp dir, and a local Unix user
    'fuzzseed' (useradd -M, smbpasswd) is created if missing.
 2. For every dialect SMB2_02, SMB2_10, SMB3_00, SMB3_02, SMB3_11 with
    --client-protection=sign (plus the 3.1.1 signing algorithms HMAC/CMAC/GMAC),
    and with --client-protection=encrypt for 3.0, 3.0.2 and 3.1.1 with each of
    the four ciphers, smbclient runs
        ls; mkdir; put; get; stat; allinfo; setmode; rename; volume; ls; del; rmdir
    while tshark captures 'tcp port PORT' on lo. The server signs (mandatory)
    and encrypts only when asked ('server smb encrypt = if_required'), so the
    signed runs stay plaintext for every dialect.
 3. The TCP payloads of each stream and direction are put back in sequence
    order and split on the 4-byte Direct TCP framing into SMB2 frames; every
    frame is split into its compound elements (NextCommand).
 4. Seeds per family (input formats match the fuzz targets in this directory):
      frame/          a whole frame with its 4-byte Direct TCP header
      negotiate/      NEGOTIATE request / response messages (at the SMB2 header)
      session_setup/  SESSION_SETUP request / response messages
      spnego/         the security buffers of SESSION_SETUP (GSS/SPNEGO tokens)
      ntlmssp/        the NTLMSSP messages inside those tokens
      create/         CREATE request / response messages
      io/             1 selector byte (see fuzz_io.c) + READ/WRITE/IOCTL/
                      QUERY_INFO/SET_INFO/QUERY_DIRECTORY message; selector +
                      class + the output buffer of QUERY_DIRECTORY and
                      QUERY_INFO responses (entry iterator, FSCC decoders); and
                      selector + the VALIDATE_NEGOTIATE_INFO IOCTL payloads
      transform/      1 cipher selector byte + an encrypted frame (from 0xFD):
                      the captured ones (keys unknown: they reach the AEAD tag
                      check) and, per cipher, real signed-run frames re-sealed
                      with the fuzz target's fixed all-0xFF key (they decrypt)
    plus the real messages in tests/vectors/*.json (negotiate, session setup,
    signed messages, encrypted messages, NTLM exchanges), and the reproducers
    of fixed bugs in tests/fuzz/crashes/<family>-* as regression inputs.
 5. Files are named by their SHA-1 (libFuzzer's convention, so duplicates
    collapse), must be < 64 KiB, and each family is capped (48; 64 for frame,
    io and transform): first the regression, sealed and vector seeds (up to
    half), then one per distinct shape (commands, direction, status, size).
 6. smbd and tshark are stopped by their pids; the temp dir is removed.

Usage: sudo /usr/bin/python3 tests/fuzz/make_corpus.py [--keep-pcaps DIR]
       /usr/bin/python3 tests/fuzz/make_corpus.py --from-pcaps DIR
(--from-pcaps rebuilds from kept captures, named <run>.pcap as in RUNS.)
It rewrites tests/fuzz/corpus/ (all families). Needs python3-pycryptodome
(Debian's impacket depends on it) to seal the transform seeds.
"""

import argparse
import glob
import hashlib
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, '..', '..'))
CORPUS = os.path.join(HERE, 'corpus')
VECTORS = os.path.join(REPO, 'tests', 'vectors')
USER, PASSWORD = 'fuzzseed', 'Fuzz-seed-1'
MAX_SEED = 64 * 1024 - 1
MAX_PER_FAMILY = 48
# The families that cover many commands or ciphers get a few more.
FAMILY_LIMIT = {'frame': 64, 'io': 64, 'transform': 64}

# Command codes ([MS-SMB2] 2.2.1).
NEGOTIATE, SESSION_SETUP, CREATE = 0x00, 0x01, 0x05
READ, WRITE, IOCTL, QUERY_DIRECTORY = 0x08, 0x09, 0x0B, 0x0E
QUERY_INFO, SET_INFO = 0x10, 0x11

# fuzz_io.c selectors: (command, is_response) -> byte. Keep in sync.
IO_SEL = {
    (READ, 0): 0, (READ, 1): 1, (WRITE, 0): 2, (WRITE, 1): 3,
    (IOCTL, 0): 4, (IOCTL, 1): 5, (QUERY_INFO, 0): 6, (QUERY_INFO, 1): 7,
    (SET_INFO, 0): 8, (SET_INFO, 1): 9, (QUERY_DIRECTORY, 0): 10,
    (QUERY_DIRECTORY, 1): 11,
}
# Selectors for the raw output-buffer iterators in fuzz_io.c: the second byte
# is the FileInformationClass / InfoType+class the buffer was returned for.
IO_SEL_DIRENT = 12  # + info class byte + QUERY_DIRECTORY OutputBuffer
IO_SEL_FSCC = 13    # + info type byte + info class byte + QUERY_INFO OutputBuffer
IO_SEL_NOTIFY = 14  # + CHANGE_NOTIFY OutputBuffer (smbclient sends none: not seeded)
IO_SEL_VNI = 15     # + 0 (request) / 1 (response) + VALIDATE_NEGOTIATE_INFO payload
FSCTL_VALIDATE_NEGOTIATE_INFO = 0x00140204

CIPHER_SEL = {'AES-128-CCM': 0, 'AES-128-GCM': 1, 'AES-256-CCM': 2, 'AES-256-GCM': 3}

SMB_CONF = """[global]
  server role = standalone server
  smb ports = {port}
  interfaces = 127.0.0.1
  bind interfaces only = yes
  disable netbios = yes
  private dir = {d}/private
  lock directory = {d}/lock
  state directory = {d}/state
  cache directory = {d}/cache
  pid directory = {d}/pid
  ncalrpc dir = {d}/ncalrpc
  log file = {d}/log/smbd.log
  passdb backend = tdbsam:{d}/private/passdb.tdb
  server signing = mandatory
  server min protocol = SMB2_02
  server smb encrypt = if_required
  server smb3 encryption algorithms = AES-128-GCM, AES-128-CCM, AES-256-GCM, AES-256-CCM
  map to guest = never
  load printers = no
  disable spoolss = yes
[share]
  path = {d}/share
  read only = no
"""

# (name, max protocol, protection, extra smbclient options)
RUNS = [
    ('smb2_02-sign', 'SMB2_02', 'sign', []),
    ('smb2_10-sign', 'SMB2_10', 'sign', []),
    ('smb3_00-sign', 'SMB3_00', 'sign', []),
    ('smb3_02-sign', 'SMB3_02', 'sign', []),
    ('smb3_11-sign-gmac', 'SMB3_11', 'sign', []),
    ('smb3_11-sign-cmac', 'SMB3_11', 'sign',
     ['--option=client smb3 signing algorithms=AES-128-CMAC']),
    ('smb3_11-sign-hmac', 'SMB3_11', 'sign',
     ['--option=client smb3 signing algorithms=HMAC-SHA256']),
    ('smb3_00-encrypt', 'SMB3_00', 'encrypt', []),
    ('smb3_02-encrypt', 'SMB3_02', 'encrypt', []),
] + [
    ('smb3_11-encrypt-' + c.lower(), 'SMB3_11', 'encrypt',
     ['--option=client smb3 encryption algorithms=' + c]) for c in CIPHER_SEL
]


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port(start=4455):
    for port in range(start, start + 200):
        with socket.socket() as s:
            try:
                s.bind(('127.0.0.1', port))
                return port
            except OSError:
                continue
    raise SystemExit('no free port')


def wait_port(port, timeout=15):
    end = time.time() + timeout
    while time.time() < end:
        with socket.socket() as s:
            if s.connect_ex(('127.0.0.1', port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit('smbd did not listen on %d' % port)


def stop(proc):
    """Stop a process we started, by its pid."""
    if proc.stdin:
        proc.stdin.close()
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


def capture_run(d, port, name, proto, prot, extra):
    pcap = os.path.join(d, name + '.pcap')
    ts = subprocess.Popen(['tshark', '-q', '-i', 'lo', '-f', 'tcp port %d' % port, '-w', pcap],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # tshark prints "Capturing on 'Loopback: lo'" once the capture is live.
    line = ts.stderr.readline()
    time.sleep(0.5)
    local = os.path.join(d, 'local')
    with open(os.path.join(local, 'up.bin'), 'wb') as f:
        f.write(bytes(range(256)) * 24)  # 6 KiB: a WRITE and a READ with data
    cmds = ('ls; mkdir dir1; cd dir1; put up.bin f1.bin; get f1.bin down.bin; '
            'stat f1.bin; allinfo f1.bin; setmode f1.bin +r; setmode f1.bin -r; '
            'rename f1.bin f2.bin; volume; ls; del f2.bin; cd ..; rmdir dir1; ls')
    r = subprocess.run(['smbclient', '//127.0.0.1/share', '-p', str(port), '-U',
                        '%s%%%s' % (USER, PASSWORD), '-m', proto, '--option=client min protocol=' + proto,
                        '--client-protection=' + prot, '-s', os.path.join(d, 'client.conf')] + extra +
                       ['-c', cmds], cwd=local, capture_output=True, text=True, timeout=60)
    time.sleep(0.7)
    ts.send_signal(signal.SIGINT)  # by pid: tshark flushes and exits
    try:
        ts.wait(15)
    except subprocess.TimeoutExpired:
        stop(ts)
    log('%-28s smbclient rc=%d %s' % (name, r.returncode, line.strip()))
    if r.returncode != 0:
        log(r.stdout[-2000:], r.stderr[-2000:])
    return pcap


def tcp_streams(pcap, port):
    """{(stream, from_server): bytes} with segments in sequence order."""
    out = subprocess.run(['tshark', '-r', pcap, '-o', 'tcp.desegment_tcp_streams:FALSE',
                          '-Y', 'tcp.len > 0', '-T', 'fields', '-e', 'tcp.stream', '-e',
                          'tcp.srcport', '-e', 'tcp.seq', '-e', 'tcp.payload'],
                         capture_output=True, text=True, check=True).stdout
    segs = {}
    for line in out.splitlines():
        f = line.split('\t')
        if len(f) < 4 or not f[3]:
            continue
        key = (int(f[0]), int(f[1]) == port)
        segs.setdefault(key, {})[int(f[2])] = bytes.fromhex(f[3].replace(':', ''))
    streams = {}
    for key, by_seq in segs.items():
        buf, nxt = bytearray(), None
        for seq in sorted(by_seq):
            data = by_seq[seq]
            if nxt is not None and seq < nxt:  # retransmission overlap
                data = data[nxt - seq:]
            buf += data
            nxt = seq + len(by_seq[seq]) if nxt is None else max(nxt, seq + len(by_seq[seq]))
        streams[key] = bytes(buf)
    return streams


def frames(stream):
    off = 0
    while off + 4 <= len(stream):
        if stream[off] != 0:
            break
        n = int.from_bytes(stream[off + 1:off + 4], 'big')
        if off + 4 + n > len(stream):
            break
        yield stream[off:off + 4 + n]
        off += 4 + n


def elements(frame):
    """Compound elements of a plain SMB2 frame (without its 4-byte header)."""
    off = 0
    while off + 64 <= len(frame) and frame[off:off + 4] == b'\xfeSMB':
        nxt = struct.unpack_from('<I', frame, off + 20)[0]
        end = off + nxt if nxt else len(frame)
        if end > len(frame) or (nxt and nxt < 64):
            break
        yield frame[off:end]
        if not nxt:
            break
        off = end


def hdr(msg):
    cmd = struct.unpack_from('<H', msg, 12)[0]
    flags = struct.unpack_from('<I', msg, 16)[0]
    status = struct.unpack_from('<I', msg, 8)[0]
    return cmd, flags & 1, status


def der_len(b, i):
    n = b[i]
    if n < 0x80:
        return n, i + 1
    k = n & 0x7f
    return int.from_bytes(b[i + 1:i + 1 + k], 'big'), i + 1 + k


def ntlmssp_in(blob):
    """NTLMSSP messages inside a DER/SPNEGO token (OCTET STRINGs that hold one)."""
    found = []

    def walk(b, i, end, depth):
        while i + 2 <= end and depth < 12:
            tag = b[i]
            try:
                n, j = der_len(b, i + 1)
            except IndexError:
                return
            if j + n > end:
                return
            body = b[j:j + n]
            if tag == 0x04 and body.startswith(b'NTLMSSP\0'):
                found.append(bytes(body))
            elif tag & 0x20 or tag in (0x60,):
                walk(b, j, j + n, depth + 1)
            i = j + n

    walk(blob, 0, len(blob), 0)
    if not found and blob.startswith(b'NTLMSSP\0'):
        found.append(bytes(blob))
    return found


def sec_buffer(msg):
    cmd, resp, _ = hdr(msg)
    if cmd != SESSION_SETUP:
        return None
    if resp and len(msg) >= 72:
        off, ln = struct.unpack_from('<HH', msg, 68)
    elif not resp and len(msg) >= 88:
        off, ln = struct.unpack_from('<HH', msg, 76)
    else:
        return None
    return msg[off:off + ln] if ln and off + ln <= len(msg) else None


def io_buffers(msg, requests):
    """Raw QUERY_DIRECTORY / QUERY_INFO response output buffers, with the
    information class of the matching request (by MessageId)."""
    cmd, resp, status = hdr(msg)
    if not resp or status not in (0, 0x80000005) or len(msg) < 72:
        return []
    mid = struct.unpack_from('<Q', msg, 24)[0]
    req = requests.get(mid)
    if req is None:
        return []
    off, ln = struct.unpack_from('<HI', msg, 66)
    buf = msg[off:off + ln] if ln and off + ln <= len(msg) else None
    if not buf:
        return []
    if cmd == QUERY_DIRECTORY and len(req) >= 68:
        return [bytes([IO_SEL_DIRENT, req[66]]) + buf]
    if cmd == QUERY_INFO and len(req) >= 68:
        return [bytes([IO_SEL_FSCC, req[66], req[67]]) + buf]
    return []


def vni_payload(msg):
    """The VALIDATE_NEGOTIATE_INFO input (request) or output (response) of an
    IOCTL message ([MS-SMB2] 2.2.31, 2.2.32)."""
    cmd, resp, status = hdr(msg)
    if cmd != IOCTL or len(msg) < 112 or status != 0:
        return None
    if struct.unpack_from('<I', msg, 68)[0] != FSCTL_VALIDATE_NEGOTIATE_INFO:
        return None
    off, n = struct.unpack_from('<II', msg, 96 if resp else 88)
    return msg[off:off + n] if n and off + n <= len(msg) else None


class Family:
    def __init__(self, name):
        self.name = name
        self.seeds = {}  # sha1 -> (shape, bytes)

    def add(self, data, shape=None):
        data = bytes(data)
        if not data or len(data) > MAX_SEED:
            return
        h = hashlib.sha1(data).hexdigest()
        self.seeds.setdefault(h, (shape if shape is not None else len(data), data))

    def pick(self, limit=MAX_PER_FAMILY):
        """The vector, sealed and regression seeds first (at most half the
        limit), then one seed per distinct shape, then fill up to the limit
        (in hash order, so the choice is stable)."""
        rank = {'regress': 0, 'sealed': 1, 'vec': 2}

        def special(shape):
            return isinstance(shape, tuple) and isinstance(shape[0], str) and shape[0] in rank
        items = sorted(self.seeds.items())
        chosen, shapes = {}, set()
        for h, (shape, data) in sorted((i for i in items if special(i[1][0])),
                                       key=lambda i: (rank[i[1][0][0]], i[0])):
            if len(chosen) < limit // 2:
                shapes.add(shape)
                chosen[h] = data
        items = [i for i in items if not special(i[1][0])]
        for h, (shape, data) in items:
            if shape not in shapes and len(chosen) < limit:
                shapes.add(shape)
                chosen[h] = data
        for h, (shape, data) in items:
            if len(chosen) >= limit:
                break
            chosen.setdefault(h, data)
        return chosen


def harvest(streams, fam, cipher_sel, plain_frames):
    for (sid, from_server), data in sorted(streams.items()):
        for fr in frames(data):
            body = fr[4:]
            magic = body[:4]
            if magic == b'\xfdSMB':
                if cipher_sel is not None:
                    fam['transform'].add(bytes([cipher_sel]) + body, shape=(from_server, len(body) // 256))
                    fam['frame'].add(fr, shape=('fd', from_server))
                continue
            if magic != b'\xfeSMB':
                fam['frame'].add(fr, shape=('other', magic))
                continue
            elems = list(elements(body))
            shape = tuple(hdr(e)[:2] for e in elems)
            fam['frame'].add(fr, shape=shape)
            plain_frames.append(body)
            for e in elems:
                cmd, resp, status = hdr(e)
                shape = (cmd, resp, status, len(e) // 64)
                if cmd == NEGOTIATE:
                    fam['negotiate'].add(e, shape)
                elif cmd == SESSION_SETUP:
                    fam['session_setup'].add(e, shape)
                    sb = sec_buffer(e)
                    if sb:
                        fam['spnego'].add(sb, (resp, sb[:1], len(sb) // 32))
                        for n in ntlmssp_in(sb):
                            fam['ntlmssp'].add(n, (n[8], len(n) // 32))
                elif cmd == CREATE:
                    fam['create'].add(e, shape)
                elif (cmd, resp) in IO_SEL:
                    fam['io'].add(bytes([IO_SEL[(cmd, resp)]]) + e, shape)
                    vni = vni_payload(e)
                    if vni:
                        fam['io'].add(bytes([IO_SEL_VNI, resp]) + vni, ('vni', resp))
    # QUERY_DIRECTORY / QUERY_INFO output buffers: a response's class comes
    # from the request with the same MessageId, in the other direction.
    for (sid, from_server), data in sorted(streams.items()):
        if not from_server:
            continue
        reqs = {}
        for fr in frames(streams.get((sid, False), b'')):
            for e in elements(fr[4:]):
                reqs[struct.unpack_from('<Q', e, 24)[0]] = e
        for fr in frames(data):
            for e in elements(fr[4:]):
                for b in io_buffers(e, reqs):
                    fam['io'].add(b, (b[0], b[1], len(b) // 256))


FUZZ_KEY_BYTE = 0xFF  # fuzz_transform.c keys every cipher with all-0xFF bytes


def seal(sel, plain, nonce_seed):
    """A TRANSFORM_HEADER + ciphertext sealed with the fuzz target's fixed key
    ([MS-SMB2] 2.2.41, 3.1.4.3), so the seed decrypts inside the fuzzer."""
    from Cryptodome.Cipher import AES  # python3-pycryptodome (impacket needs it)
    key = bytes([FUZZ_KEY_BYTE]) * (32 if sel >= 2 else 16)
    gcm = sel in (1, 3)
    nlen = 12 if gcm else 11
    nonce = hashlib.sha1(nonce_seed).digest()[:nlen] + bytes(16 - nlen)
    sid = struct.unpack_from('<Q', plain, 40)[0] if len(plain) >= 48 else 1
    tail = nonce + struct.pack('<IHHQ', len(plain), 0, 1, sid)
    c = AES.new(key, AES.MODE_GCM if gcm else AES.MODE_CCM, nonce=nonce[:nlen], mac_len=16)
    c.update(tail)  # AAD: header bytes 20..51
    ct, tag = c.encrypt_and_digest(plain)
    return bytes([sel]) + b'\xfdSMB' + tag + tail + ct


def plaintext_for_sealing(msg):
    """An inner message as an encrypting peer sends it: unsigned, zero signature."""
    m = bytearray(msg)
    if len(m) >= 64 and m[:4] == b'\xfeSMB':
        flags = struct.unpack_from('<I', m, 16)[0] & ~0x8
        struct.pack_into('<I', m, 16, flags)
        m[48:64] = bytes(16)
    return bytes(m)


def sealed_seeds(fam, plain_frames):
    """Per cipher, a few real post-session frames of different commands."""
    by_cmd = {}
    for body in plain_frames:
        cmd, resp, _ = hdr(body)
        if cmd >= 3 and len(body) <= 4096:
            by_cmd.setdefault((cmd, resp, struct.unpack_from('<I', body, 20)[0] != 0), body)
    picks = [by_cmd[k] for k in sorted(by_cmd)]
    for sel in CIPHER_SEL.values():
        for i, body in enumerate(picks[sel::4][:4]):
            plain = b''.join(plaintext_for_sealing(e) for e in [body])
            fam['transform'].add(seal(sel, plain, body + bytes([sel])), ('sealed', sel, i))


def vector_seeds(fam):
    """Real messages from tests/vectors/*.json."""
    def hexes(o, path=''):
        if isinstance(o, dict):
            for k, v in o.items():
                yield from hexes(v, path + '/' + k)
        elif isinstance(o, list):
            for i, v in enumerate(o):
                yield from hexes(v, path + '/%d' % i)
        elif isinstance(o, str) and path.endswith('_hex') and len(o) >= 16:
            try:
                yield path, bytes.fromhex(o)
            except ValueError:
                pass

    for fn in sorted(glob.glob(os.path.join(VECTORS, '*.json'))):
        with open(fn) as f:
            doc = json.load(f)
        for path, b in hexes(doc):
            if b.startswith(b'\xfeSMB') and len(b) >= 64:
                fam['frame'].add(len(b).to_bytes(4, 'big') + b, ('vec', path))
                for e in elements(b):
                    cmd, resp, _ = hdr(e)
                    if cmd == NEGOTIATE:
                        fam['negotiate'].add(e, ('vec', path))
                    elif cmd == SESSION_SETUP:
                        fam['session_setup'].add(e, ('vec', path))
                        sb = sec_buffer(e)
                        if sb:
                            fam['spnego'].add(sb, ('vec', path))
                            for n in ntlmssp_in(sb):
                                fam['ntlmssp'].add(n, ('vec', path))
                    elif cmd == CREATE:
                        fam['create'].add(e, ('vec', path))
                    elif (cmd, resp) in IO_SEL:
                        fam['io'].add(bytes([IO_SEL[(cmd, resp)]]) + e, ('vec', path))
            elif b.startswith(b'\xfdSMB') and len(b) > 52:
                # With the vector's own cipher. Only the smbprotocol vectors use
                # the fuzzer's all-0xFF key and decrypt; the others reach the
                # tag check.
                try:
                    vec = doc['vectors'][int(path.split('/')[2])]
                    sel = CIPHER_SEL[vec['cipher']]
                except (KeyError, IndexError, ValueError):
                    sel = 0
                fam['transform'].add(bytes([sel]) + b, ('vec', path, sel))
            elif b.startswith(b'NTLMSSP\0'):
                fam['ntlmssp'].add(b, ('vec', path))
            elif b[:1] in (b'\x60', b'\xa0', b'\xa1'):
                fam['spnego'].add(b, ('vec', path))
                for n in ntlmssp_in(b):
                    fam['ntlmssp'].add(n, ('vec', path))


def crash_seeds(fam):
    """Reproducers of fixed bugs, tests/fuzz/crashes/<family>-*, stay in the
    corpus as regression inputs."""
    for path in sorted(glob.glob(os.path.join(HERE, 'crashes', '*'))):
        family = os.path.basename(path).split('-', 1)[0]
        if family in fam:
            with open(path, 'rb') as f:
                fam[family].add(f.read(), ('regress', path))


def cipher_of(name):
    """Run name -> fuzz_transform.c cipher selector (None for signed runs)."""
    for run, proto, prot, extra in RUNS:
        if run == name and prot == 'encrypt':
            return CIPHER_SEL['AES-128-CCM'] if proto != 'SMB3_11' else \
                CIPHER_SEL[extra[0].rsplit('=', 1)[1]]
    return None


def server_port(pcap):
    """The port the first SYN went to."""
    out = subprocess.run(['tshark', '-r', pcap, '-Y', 'tcp.flags.syn==1 && tcp.flags.ack==0',
                          '-T', 'fields', '-e', 'tcp.dstport'], capture_output=True, text=True,
                         check=True).stdout.split()
    return int(out[0])


def write_corpus(fam):
    total = 0
    for name, f in sorted(fam.items()):
        out = os.path.join(CORPUS, name)
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        chosen = f.pick(FAMILY_LIMIT.get(name, MAX_PER_FAMILY))
        for h, data in chosen.items():
            with open(os.path.join(out, h), 'wb') as fh:
                fh.write(data)
        size = sum(len(v) for v in chosen.values())
        total += size
        log('%-14s %3d seeds (%d candidates), %d bytes' % (name, len(chosen), len(f.seeds), size))
    log('total %d bytes' % total)


def build(pcaps):
    """pcaps: [(run name, path, server port)] -> the corpus directories."""
    fam = {n: Family(n) for n in ('frame', 'negotiate', 'session_setup', 'ntlmssp', 'spnego',
                                  'create', 'transform', 'io')}
    plain_frames = []
    for name, pcap, port in pcaps:
        harvest(tcp_streams(pcap, port), fam, cipher_of(name), plain_frames)
    sealed_seeds(fam, plain_frames)
    vector_seeds(fam)
    crash_seeds(fam)
    write_corpus(fam)


def capture_all(keep_pcaps):
    if os.geteuid() != 0:
        raise SystemExit('needs root (tshark on lo, useradd, smbpasswd)')
    for tool in ('smbd', 'smbclient', 'smbpasswd', 'tshark'):
        if not shutil.which(tool):
            raise SystemExit('missing %s: apt-get install -y samba smbclient tshark' % tool)
    d = tempfile.mkdtemp(prefix='signet-corpus-')
    smbd = None
    try:
        for sub in ('private', 'lock', 'state', 'cache', 'pid', 'ncalrpc', 'log', 'share', 'local'):
            os.makedirs(os.path.join(d, sub))
        os.chmod(d, 0o755)  # mkdtemp makes it 0700: the user must reach share/
        os.chmod(os.path.join(d, 'share'), 0o777)
        port = free_port()
        conf = os.path.join(d, 'smb.conf')
        with open(conf, 'w') as f:
            f.write(SMB_CONF.format(port=port, d=d))
        with open(os.path.join(d, 'client.conf'), 'w') as f:
            f.write('[global]\n  client signing = required\n')
        if subprocess.run(['id', USER], capture_output=True).returncode != 0:
            subprocess.run(['useradd', '-M', USER], check=True)
        subprocess.run(['smbpasswd', '-c', conf, '-s', '-a', USER],
                       input='%s\n%s\n' % (PASSWORD, PASSWORD), text=True, check=True,
                       capture_output=True)
        # Its own session: on SIGTERM smbd signals its whole process group,
        # which must not be ours. In the foreground smbd exits when its stdin
        # reaches EOF, so it gets a pipe that stays open until stop().
        smbd = subprocess.Popen(['smbd', '-F', '--no-process-group', '-s', conf],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        wait_port(port)
        log('smbd pid %d on 127.0.0.1:%d, dir %s' % (smbd.pid, port, d))
        pcaps = []
        for name, proto, prot, extra in RUNS:
            pcaps.append((name, capture_run(d, port, name, proto, prot, extra), port))
        if keep_pcaps:
            os.makedirs(keep_pcaps, exist_ok=True)
            for _, pcap, _ in pcaps:
                shutil.copy(pcap, keep_pcaps)
        build(pcaps)
    finally:
        if smbd is not None:
            stop(smbd)
            log('smbd pid %d stopped (exit %s)' % (smbd.pid, smbd.returncode))
        shutil.rmtree(d, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--keep-pcaps', metavar='DIR', help='copy the captures here')
    ap.add_argument('--from-pcaps', metavar='DIR',
                    help='rebuild the corpus from captures kept earlier (no smbd, no root)')
    args = ap.parse_args()
    if args.from_pcaps:
        pcaps = []
        for name, _, _, _ in RUNS:
            path = os.path.join(args.from_pcaps, name + '.pcap')
            if os.path.exists(path):
                pcaps.append((name, path, server_port(path)))
        if not pcaps:
            raise SystemExit('no <run>.pcap files in %s' % args.from_pcaps)
        build(pcaps)
    else:
        capture_all(args.keep_pcaps)


if __name__ == '__main__':
    main()
