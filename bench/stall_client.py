#!/usr/bin/python3
"""Clients of bench/stall_bench.sh: does one client's slow compound stall another's ECHO?

  stall_client.py round --port P --label NAME --round N --out FILE [options]
      one measurement against one server: client A (this process) loads,
      client B (a child process, `echo` mode) pings; writes FILE (JSON) and
      prints one summary line
  stall_client.py echo --port P [options]     (client B; run by `round`)
  stall_client.py report FILE...              the table over the rounds' FILEs

Client A logs on, connects the share, opens DIR (CREATE, FILE_DIRECTORY_FILE,
FILE_LIST_DIRECTORY), then sends, for --seconds, one compound after another:
element 1 TREE_CONNECT to the share, elements 2-64 QUERY_DIRECTORY on the
open directory (FileIdBothDirectoryInformation, SMB2_RESTART_SCANS, a pattern
that matches nothing, OutputBufferLength 64 KiB), none related, each signed
over its own bytes up to the next element ([MS-SMB2] 3.2.4.1.4). It reads
all 64 responses (one frame or several; interim STATUS_PENDING ones are
counted and set aside) before the next compound, verifies every signature,
and disconnects the compound's new tree afterwards (a separate request,
outside the compound's time) so that trees do not pile up.

Client B, on its own connection and session, sends a signed ECHO every
--interval ms (the next one at once when a reply took longer) and records each
round trip: from the moment the signed request is handed to the socket until
its response has been read. B pings with A logged on and idle for
--baseline seconds first, then through A's load. Around each ECHO it reads
its own /proc/thread-self/schedstat and that of the server's thread that
answers its connection (the main thread of the process holding the server's
end of the socket, found through /proc/net/tcp and /proc/PID/fd: signetd's
event loop, Samba's per-client smbd): how long each waited for a CPU and how
long the server's thread ran while the ECHO was out. A slow ECHO during which
the server's thread ran tells a loop busy with other work (a stall); one
during which B or that thread waited for a CPU tells contention for the cores.

impacket (tests/interop/smb2raw.py) logs on and connects the trees; the
requests here are laid out and signed by hand, so that the signing and the
layout of the compound are ours and no client-side signing is timed.
"""
import argparse
import json
import math
import os
import select
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'interop'))
sys.dont_write_bytecode = True

from impacket import smb3structs as s2  # noqa: E402
from smb2raw import Client, Msg, STATUS_PENDING, STATUS_SUCCESS, status_name  # noqa: E402

STATUS_NO_SUCH_FILE = 0xC000000F
STATUS_NO_MORE_FILES = 0x80000006
# A restarted scan that finds nothing: signetd answers STATUS_NO_SUCH_FILE
# (the first request of an enumeration, srv_query_directory.c), Samba 4.17
# STATUS_NO_MORE_FILES on a handle it has listed before. Both are counted as
# right; how many of each, the report shows.
NOTHING_FOUND = (STATUS_NO_SUCH_FILE, STATUS_NO_MORE_FILES)
N_QUERIES = 63  # QUERY_DIRECTORY elements after the TREE_CONNECT
OUT_LEN = 64 * 1024
NO_MATCH = 'zz-no-match-*'
COMMAND_NAMES = {s2.SMB2_TREE_CONNECT: 'TREE_CONNECT', s2.SMB2_QUERY_DIRECTORY: 'QUERY_DIRECTORY',
                 s2.SMB2_ECHO: 'ECHO', s2.SMB2_CREATE: 'CREATE',
                 s2.SMB2_TREE_DISCONNECT: 'TREE_DISCONNECT', s2.SMB2_CLOSE: 'CLOSE'}
EXTRA_NAMES = {STATUS_NO_SUCH_FILE: 'STATUS_NO_SUCH_FILE', 0xC0000011: 'STATUS_END_OF_FILE',
               0x80000006: 'STATUS_NO_MORE_FILES', 0xC00000CC: 'STATUS_BAD_NETWORK_NAME',
               0xC000009A: 'STATUS_INSUFFICIENT_RESOURCES', 0xC0000010: 'STATUS_INVALID_DEVICE_REQUEST'}


def sname(code):
    return EXTRA_NAMES.get(code) or status_name(code)


def now():
    return time.clock_gettime(time.CLOCK_MONOTONIC)


class Raw:
    """Requests laid out and signed here, on the session and connection of a
    smb2raw.Client; MessageIds taken from impacket's counter, so that the two
    never reuse one; credits counted from every response."""

    def __init__(self, client):
        self.c = client
        self.s3 = client.s3
        self.credits = None  # unknown until the first response we read

    def mids(self, n):
        mid = self.s3._Connection['SequenceWindow']
        self.s3._Connection['SequenceWindow'] += n
        return mid

    def element(self, command, body, mid, tree_id, credit_request, charge=1):
        """One request (header and body), signed flag set, NextCommand 0."""
        hdr = struct.pack('<4sHHIHHIIQIIQ16s', b'\xfeSMB', 64, charge, 0, command,
                          credit_request, s2.SMB2_FLAGS_SIGNED, 0, mid, 0, tree_id,
                          self.c.session_id, b'\0' * 16)
        return hdr + body

    def sign(self, elem):
        return elem[:48] + self.c._mac(elem) + elem[64:]

    def compound(self, elems):
        """Chain the elements: each but the last padded to 8 bytes, its
        NextCommand the padded length; each signed over its own (padded)
        bytes; one frame."""
        out = []
        for i, e in enumerate(elems):
            if i + 1 < len(elems):
                e += b'\0' * ((8 - len(e) % 8) % 8)
                e = e[:20] + struct.pack('<I', len(e)) + e[24:]
            out.append(self.sign(e))
        return b''.join(out)

    def send(self, frame):
        self.s3._NetBIOSSession.send_packet(frame)

    def read(self, timeout):
        """The messages of the next frame (split at NextCommand, each with its
        signature verified), or None on timeout."""
        frame = self.c._read_frame(timeout)
        if frame is None:
            return None
        msgs, off = [], 0
        while True:
            if len(frame) - off < 64 or frame[off:off + 4] != b'\xfeSMB':
                raise ConnectionError('malformed response frame (%d bytes, element at %d)'
                                      % (len(frame), off))
            nxt = struct.unpack_from('<I', frame, off + 20)[0]
            if nxt and (nxt < 64 or off + nxt > len(frame)):
                raise ConnectionError('NextCommand %d out of the frame' % nxt)
            raw = frame[off:off + nxt] if nxt else frame[off:]
            m = Msg(raw, self.c.verify(raw))
            if self.credits is not None:
                self.credits += m.credits
            msgs.append(m)
            if not nxt:
                return msgs
            off += nxt

    def call(self, command, body, tree_id, credit_request=1, timeout=60):
        """One request, its final response (interim ones skipped)."""
        mid = self.mids(1)
        self.spend(1)
        self.send(self.sign(self.element(command, body, mid, tree_id, credit_request)))
        deadline = now() + timeout
        while True:
            msgs = self.read(deadline - now())
            if msgs is None:
                raise TimeoutError('no response to %s in %d s' % (COMMAND_NAMES[command], timeout))
            for m in msgs:
                if m.mid == mid and m.status != STATUS_PENDING:
                    return m

    def spend(self, n):
        if self.credits is not None:
            self.credits -= n


def logon(args):
    c = Client(args.port, args.user, args.password, args.share, timeout=60)
    if not (c.signing_required and c.signing_active):
        raise RuntimeError('the session does not sign (isSigningRequired %r, signing active %r)'
                           % (c.signing_required, c.signing_active))
    return c


def echo_body():
    return s2.SMB2Echo().getData()


def query_body(fid, pattern):
    q = s2.SMB2QueryDirectory()
    q['FileInformationClass'] = s2.FILEID_BOTH_DIRECTORY_INFORMATION
    q['Flags'] = s2.SMB2_RESTART_SCANS
    q['FileIndex'] = 0
    q['FileID'] = fid
    q['OutputBufferLength'] = OUT_LEN
    q['FileNameLength'] = len(pattern) * 2
    q['Buffer'] = pattern.encode('utf-16-le')
    return q.getData()


def tree_connect_body(share):
    t = s2.SMB2TreeConnect()
    path = '\\\\127.0.0.1\\%s' % share
    t['Buffer'] = path.encode('utf-16-le')
    t['PathLength'] = len(t['Buffer'])
    return t.getData()


def create_dir_body(name):
    req = s2.SMB2Create()
    req['SecurityFlags'] = 0
    req['RequestedOplockLevel'] = 0
    req['ImpersonationLevel'] = s2.SMB2_IL_IMPERSONATION
    req['DesiredAccess'] = s2.FILE_LIST_DIRECTORY | s2.FILE_READ_ATTRIBUTES | s2.SYNCHRONIZE
    req['FileAttributes'] = 0
    req['ShareAccess'] = s2.FILE_SHARE_READ | s2.FILE_SHARE_WRITE | s2.FILE_SHARE_DELETE
    req['CreateDisposition'] = s2.FILE_OPEN
    req['CreateOptions'] = s2.FILE_DIRECTORY_FILE
    req['Buffer'] = name.encode('utf-16-le')
    req['NameLength'] = len(req['Buffer'])
    req['CreateContextsOffset'] = 0
    req['CreateContextsLength'] = 0
    return req.getData()


# ---------------------------------------------------------------- client B

def server_thread(sock):
    """The schedstat file of the server's thread that answers this connection:
    the main thread of the process holding the server's end of the socket
    (signetd's event loop; Samba's per-client smbd). None when not found
    (it takes root to read other users' /proc/PID/fd)."""
    lport, rport = sock.getsockname()[1], sock.getpeername()[1]
    inode = None
    try:
        with open('/proc/net/tcp') as f:
            for line in f:
                fl = line.split()
                if fl[1] == '0100007F:%04X' % rport and fl[2] == '0100007F:%04X' % lport:
                    inode = fl[9]
    except OSError:
        return None
    if not inode:
        return None
    target = 'socket:[%s]' % inode
    for pid in os.listdir('/proc'):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            for fd in os.listdir('/proc/%s/fd' % pid):
                if os.readlink('/proc/%s/fd/%s' % (pid, fd)) == target:
                    return '/proc/%s/task/%s/schedstat' % (pid, pid)
        except OSError:
            continue
    return None


def schedstat(path):
    """(ns on a CPU, ns runnable but waiting for one) of a thread, or None."""
    if not path:
        return None
    try:
        with open(path) as f:
            v = f.read().split()
        return int(v[0]), int(v[1])
    except (OSError, ValueError, IndexError):
        return None


def echo_main(args):
    """Client B: ECHO every interval until told to stop on stdin; then one
    JSON line on stdout: the samples, [t_send, seconds, B's wait for a CPU,
    the server thread's wait for a CPU, its time on a CPU] (the last three in
    ms over the ECHO, from /proc/.../schedstat; None when unknown), and any
    errors."""
    c = logon(args)
    raw = Raw(c)
    body = echo_body()
    mine = '/proc/thread-self/schedstat'
    theirs = server_thread(c.sock)
    print('ready dialect 0x%04x server-thread %s' % (c.dialect, theirs), flush=True)
    samples, errors = [], {}
    interval = args.interval / 1000.0
    next_t = now()
    while True:
        ready, _, _ = select.select([0], [], [], max(0.0, next_t - now()))
        if ready:
            os.read(0, 4096)
            break
        mid = raw.mids(1)
        pkt = raw.sign(raw.element(s2.SMB2_ECHO, body, mid, 0, 1))
        b0, s0 = schedstat(mine), schedstat(theirs)
        t0 = now()
        raw.send(pkt)
        got = None
        while got is None:
            msgs = raw.read(60)
            if msgs is None:
                raise TimeoutError('no ECHO response in 60 s')
            for m in msgs:
                if m.mid == mid and m.status != STATUS_PENDING:
                    got = m
        t1 = now()
        b1, s1 = schedstat(mine), schedstat(theirs)
        samples.append((t0, t1 - t0, (b1[1] - b0[1]) / 1e6 if b0 and b1 else None,
                        (s1[1] - s0[1]) / 1e6 if s0 and s1 else None,
                        (s1[0] - s0[0]) / 1e6 if s0 and s1 else None))
        if got.status != STATUS_SUCCESS or got.sig_ok is not True:
            k = 'ECHO %s%s' % (sname(got.status), '' if got.sig_ok else ' signature %r' % got.sig_ok)
            errors[k] = errors.get(k, 0) + 1
        next_t = max(t0 + interval, t1)
    c.logoff()
    print(json.dumps({'samples': samples, 'errors': errors}), flush=True)


# ---------------------------------------------------------------- client A

def tally(bad, key):
    bad[key] = bad.get(key, 0) + 1


def check(m, command, want, bad, seen=None):
    """Count m in bad unless it is one of the command's expected answers
    (want: a status or a tuple of them), correctly signed; its status in seen."""
    name = COMMAND_NAMES[command]
    if seen is not None:
        tally(seen, '%s %s' % (name, sname(m.status)))
    if m.command != command:
        tally(bad, '%s answered as command 0x%x' % (name, m.command))
    elif m.status not in (want if isinstance(want, tuple) else (want,)):
        tally(bad, '%s %s' % (name, sname(m.status)))
    elif not m.signed or m.sig_ok is not True:
        tally(bad, '%s %s' % (name, 'unsigned' if not m.signed else 'wrong signature'))


def one_compound(raw, args, fid, tid, bad, seen):
    """Send the compound, read its 64 responses; returns (t_send, t_first,
    t_last, new tree id or None, interim responses seen, frames read)."""
    n = 1 + N_QUERIES
    if raw.credits is not None and raw.credits < n + 64:
        credit_request = 4  # top up: never run dry
    else:
        credit_request = 1
    mid0 = raw.mids(n)
    elems = [raw.element(s2.SMB2_TREE_CONNECT, tree_connect_body(args.share), mid0, 0,
                         credit_request)]
    qbody = query_body(fid, NO_MATCH)
    for k in range(N_QUERIES):
        elems.append(raw.element(s2.SMB2_QUERY_DIRECTORY, qbody, mid0 + 1 + k, tid,
                                 credit_request))
    frame = raw.compound(elems)
    raw.spend(n)
    want = set(range(mid0, mid0 + n))
    finals, interims, frames = {}, 0, 0
    t0 = now()
    raw.send(frame)
    t_first = None
    deadline = t0 + args.timeout
    while want:
        msgs = raw.read(deadline - now())
        if msgs is None:
            raise TimeoutError('%d of the compound\'s %d responses missing after %d s'
                               % (len(want), n, args.timeout))
        frames += 1
        if t_first is None:
            t_first = now()
        for m in msgs:
            if m.mid in want and m.status == STATUS_PENDING:
                interims += 1
            elif m.mid in want:
                want.discard(m.mid)
                finals[m.mid] = m
            else:
                tally(bad, 'unexpected message (mid %d, %s)' % (m.mid, sname(m.status)))
    t1 = now()
    tc = finals[mid0]
    check(tc, s2.SMB2_TREE_CONNECT, STATUS_SUCCESS, bad, seen)
    for k in range(N_QUERIES):
        check(finals[mid0 + 1 + k], s2.SMB2_QUERY_DIRECTORY, NOTHING_FOUND, bad, seen)
    new_tid = tc.tree_id if tc.status == STATUS_SUCCESS else None
    return t0, t_first, t1, new_tid, interims, frames


def pct(v, p):
    """Nearest-rank percentile of a sorted list."""
    if not v:
        return None
    return v[max(0, math.ceil(p / 100.0 * len(v)) - 1)]


def stats_ms(lat):
    v = sorted(x * 1000.0 for x in lat)
    return {'n': len(v), 'median': pct(v, 50), 'p99': pct(v, 99), 'max': v[-1] if v else None}


def round_main(args):
    child = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), 'echo', '--port', str(args.port),
         '--user', args.user, '--password', args.password, '--share', args.share,
         '--interval', str(args.interval)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        return round_run(args, child)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def round_run(args, child):
    c = logon(args)
    raw = Raw(c)
    # the directory, and a check that it is the one with the files in it
    r = raw.call(s2.SMB2_CREATE, create_dir_body(args.dir), c.tid)
    if r.status != STATUS_SUCCESS:
        raise RuntimeError('CREATE of directory %s: %s' % (args.dir, sname(r.status)))
    fid = s2.SMB2Create_Response(r.body)['FileID'].getData()
    # credits from here on counted: an ECHO asking for many tells us a floor
    r = raw.call(s2.SMB2_ECHO, echo_body(), 0, credit_request=256)
    raw.credits = r.credits
    bad = {}
    r = raw.call(s2.SMB2_QUERY_DIRECTORY, query_body(fid, args.last_name), c.tid)
    if r.status != STATUS_SUCCESS:
        raise RuntimeError('QUERY_DIRECTORY %s in %s: %s (is the directory filled?)'
                           % (args.last_name, args.dir, sname(r.status)))
    t = now()
    r = raw.call(s2.SMB2_QUERY_DIRECTORY, query_body(fid, NO_MATCH), c.tid)
    one_scan = now() - t
    check(r, s2.SMB2_QUERY_DIRECTORY, NOTHING_FOUND, bad)
    first_status = sname(r.status)

    line = child.stdout.readline()
    if not line.startswith('ready'):
        raise RuntimeError('client B did not log on: %r' % line)
    b_dialect, b_thread = line.split()[2], line.split()[4] != 'None'
    time.sleep(args.baseline)

    compounds, interims, td_bad, seen, frames = [], 0, 0, {}, {}
    load_start = now()
    while now() - load_start < args.seconds:
        t0, tf, t1, new_tid, ni, nf = one_compound(raw, args, fid, c.tid, bad, seen)
        compounds.append((t0, tf, t1))
        interims += ni
        frames[nf] = frames.get(nf, 0) + 1
        if new_tid is not None:
            r = raw.call(s2.SMB2_TREE_DISCONNECT, s2.SMB2TreeDisconnect().getData(), new_tid)
            if r.status != STATUS_SUCCESS or r.sig_ok is not True:
                td_bad += 1
    load_end = now()
    time.sleep(0.05)  # one more ECHO after the load: the window is closed anyway

    child.stdin.write('stop\n')
    child.stdin.flush()
    out = child.stdout.readline()
    child.wait(timeout=30)
    if not out:
        raise RuntimeError('client B died (exit %s)' % child.returncode)
    b = json.loads(out)
    try:
        raw.call(s2.SMB2_CLOSE, close_body(fid), c.tid, timeout=10)
    except Exception:
        pass
    c.logoff()

    base = [smp[1] for smp in b['samples'] if smp[0] + smp[1] < load_start]
    load = [smp for smp in b['samples'] if load_start <= smp[0] < load_end]
    dur = [t1 - t0 for t0, _, t1 in compounds]
    if td_bad:
        bad['TREE_DISCONNECT of the new tree not STATUS_SUCCESS or not signed right'] = td_bad
    res = {
        'label': args.label, 'round': args.round, 'dialect_a': '0x%04x' % c.dialect,
        'dialect_b': b_dialect, 'server_thread_seen': b_thread,
        'one_scan_ms': one_scan * 1000.0,
        'window_s': load_end - load_start, 'compounds': len(compounds),
        'compound_s': dur, 'interim': interims, 'bad': bad, 'echo_errors': b['errors'],
        'statuses': seen, 'first_status': first_status,
        'frames': {str(k): v for k, v in frames.items()},
        'base': stats_ms(base), 'load': stats_ms([smp[1] for smp in load]),
        'load_lat': [smp[1] for smp in load],
        'slow': slow_parts(load),
        'base_lat': base,
        'spikes': spikes(load, compounds),
        'credits_end': raw.credits,
    }
    with open(args.out, 'w') as f:
        json.dump(res, f)
    print(round_line(res), flush=True)
    return 0


def close_body(fid):
    req = s2.SMB2Close()
    req['FileID'] = fid
    return req.getData()


SLOW_MS = 10.0


def slow_parts(load):
    """Over the ECHOs under load slower than SLOW_MS: their number, their
    time, and how much of it B and the server's thread spent waiting for a
    CPU, and the server's thread on one (ms, summed)."""
    slow = [smp for smp in load if smp[1] * 1000.0 > SLOW_MS and smp[2] is not None]
    runs = [smp[4] for smp in load if smp[4] is not None]
    return {'n': len(slow), 'ms': sum(smp[1] * 1000.0 for smp in slow),
            'max_s_run': max(runs) if runs else None,
            'b_wait': sum(smp[2] for smp in slow),
            's_wait': sum(smp[3] for smp in slow if smp[3] is not None),
            's_run': sum(smp[4] for smp in slow if smp[4] is not None),
            'known_server': all(smp[3] is not None for smp in slow)}


def parts(smp):
    if smp[2] is None:
        return ''
    txt = '; B waited %.1f ms for a CPU' % smp[2]
    if smp[3] is not None:
        txt += ', the server thread %.1f ms (and ran %.1f ms)' % (smp[3], smp[4])
    return txt


def spikes(load, compounds, top=3):
    """The slowest ECHOs and where they fell in A's compound: ms after its
    send, and whether its responses arrived while the ECHO waited; and the
    CPU waits during it."""
    out = []
    for smp in sorted(load, key=lambda s: -s[1])[:top]:
        t0, lat = smp[0], smp[1]
        where = 'between compounds'
        for c0, cf, c1 in compounds:
            if c0 <= t0 <= c1 or t0 <= c1 <= t0 + lat or t0 <= c0 <= t0 + lat:
                where = '%.0f ms into a %.0f ms compound' % ((t0 - c0) * 1000, (c1 - c0) * 1000)
                if t0 <= c1 <= t0 + lat or t0 <= cf <= t0 + lat:
                    where += ', its responses arrived meanwhile'
                if t0 <= c0 <= t0 + lat:
                    where += ', sent meanwhile'
                break
        out.append({'ms': lat * 1000.0, 'where': where + parts(smp)})
    return out


def fmt(x, w=8, d=1):
    return ('%*.*f' % (w, d, x)) if x is not None else '%*s' % (w, '-')


def round_line(r):
    dur = sorted(r['compound_s'])
    med = pct(dur, 50)
    bad = sum(r['bad'].values()) + sum(r['echo_errors'].values())
    return ('round %d %-6s A: %3d compounds in %5.1f s, median %7.0f ms (one scan %5.1f ms); '
            'B idle: median %s ms (%d); B under load: median %s p99 %s max %s ms (%d)%s'
            % (r['round'], r['label'], r['compounds'], r['window_s'],
               (med or 0) * 1000.0, r['one_scan_ms'], fmt(r['base']['median'], 0, 2),
               r['base']['n'], fmt(r['load']['median'], 0, 2), fmt(r['load']['p99'], 0, 2),
               fmt(r['load']['max'], 0, 1), r['load']['n'],
               '' if not bad else '; %d wrong answers' % bad))


# ---------------------------------------------------------------- the table

def report_main(args):
    rs = []
    for p in args.files:
        with open(p) as f:
            rs.append(json.load(f))
    labels = []
    for r in rs:
        if r['label'] not in labels:
            labels.append(r['label'])
    print()
    print('%-7s %6s %9s %11s %9s | %-26s | %-30s' % (
        '', '', 'A', 'A median', 'one', 'B ECHO, A idle (ms)', 'B ECHO under load (ms)'))
    print('%-7s %6s %9s %11s %9s | %6s %6s %6s %6s | %6s %6s %6s %8s' % (
        'server', 'rounds', 'cmpd/s', 'cmpd (ms)', 'scan ms', 'n', 'median', 'p99', 'max',
        'n', 'median', 'p99', 'max'))
    verdict = {}
    for label in labels:
        mine = [r for r in rs if r['label'] == label]
        dur = sorted(d for r in mine for d in r['compound_s'])
        rate = sorted(r['compounds'] / r['window_s'] for r in mine if r['window_s'] > 0)
        scan = sorted(r['one_scan_ms'] for r in mine)
        base = stats_ms([x for r in mine for x in r['base_lat']])
        load = stats_ms([x for r in mine for x in r['load_lat']])
        print('%-7s %6d %9.3f %11.0f %9.1f | %6d %6s %6s %6s | %6d %6s %6s %8s' % (
            label, len(mine), pct(rate, 50) or 0, (pct(dur, 50) or 0) * 1000.0, pct(scan, 50),
            base['n'], fmt(base['median'], 6, 2), fmt(base['p99'], 6, 2), fmt(base['max'], 6, 1),
            load['n'], fmt(load['median'], 6, 2), fmt(load['p99'], 6, 2), fmt(load['max'], 8, 1)))
        verdict[label] = load
    print('(cmpd/s: compounds (1 TREE_CONNECT + %d QUERY_DIRECTORY) completed per second of '
          'load, median of the rounds; median cmpd: over all compounds; one scan: one '
          'QUERY_DIRECTORY alone, A idle; B figures over all rounds\' ECHOs)' % N_QUERIES)
    for label in labels:
        seen = {}
        for r in rs:
            if r['label'] == label:
                for k, v in r['statuses'].items():
                    seen[k] = seen.get(k, 0) + v
        frames = {}
        for r in rs:
            if r['label'] == label:
                for k, v in r['frames'].items():
                    frames[int(k)] = frames.get(int(k), 0) + v
        print('%s: the compounds\' responses: %s, in %s; the lone QUERY_DIRECTORY (A idle): %s' % (
            label, ', '.join('%s x%d' % kv for kv in sorted(seen.items())),
            ', '.join('%d frame%s x%d' % (k, '' if k == 1 else 's', v)
                      for k, v in sorted(frames.items())),
            ', '.join(sorted({r['first_status'] for r in rs if r['label'] == label}))))
    for r in rs:
        bad = dict(r['bad'])
        bad.update(r['echo_errors'])
        if bad:
            print('round %d %s: wrong answers: %s' % (
                r['round'], r['label'], ', '.join('%s x%d' % kv for kv in sorted(bad.items()))))
        if r['interim']:
            print('round %d %s: %d interim (STATUS_PENDING) responses to compound elements'
                  % (r['round'], r['label'], r['interim']))
    for label in labels:
        n = ms = bw = sw = sr = 0
        known, max_run = True, None
        for r in rs:
            if r['label'] == label:
                sl = r['slow']
                n, ms, bw = n + sl['n'], ms + sl['ms'], bw + sl['b_wait']
                sw, sr = sw + sl['s_wait'], sr + sl['s_run']
                if sl['max_s_run'] is not None:
                    max_run = max(max_run or 0.0, sl['max_s_run'])
                known = known and sl['known_server'] and r['server_thread_seen']
        if n:
            print('%s: %d ECHOs under load took over %.0f ms, %.0f ms in all: B waited %.0f ms '
                  '(%.0f%%) of it for a CPU, %s' % (
                      label, n, SLOW_MS, ms, bw, 100.0 * bw / ms,
                      'the server\'s thread %.0f ms (%.0f%%); that thread ran %.0f ms (%.0f%%)'
                      % (sw, 100.0 * sw / ms, sr, 100.0 * sr / ms) if known else
                      'the server\'s thread: not found'))
        else:
            print('%s: no ECHO under load took over %.0f ms' % (label, SLOW_MS))
        if max_run is not None:
            print('%s: the most the server\'s thread ran during one ECHO under load: %.1f ms'
                  % (label, max_run))
    for r in rs:
        print('round %d %s: slowest ECHOs under load: %s' % (
            r['round'], r['label'],
            '; '.join('%.1f ms (%s)' % (s['ms'], s['where']) for s in r['spikes']) or '-'))
    print()
    for label in labels:
        load = verdict[label]
        if load['n'] == 0:
            met = 'no data'
        else:
            met = 'met' if load['max'] < 50.0 else 'NOT met'
        tgt = '' if label == args.target else '  (info)'
        print('%-7s max ECHO latency under load < 50 ms: %s (max %s ms over %d ECHOs)%s'
              % (label, met, fmt(load['max'], 0, 1), load['n'], tgt))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='mode', required=True)
    for mode in ('round', 'echo'):
        p = sub.add_parser(mode)
        p.add_argument('--port', type=int, required=True)
        p.add_argument('--user', required=True)
        p.add_argument('--password', required=True)
        p.add_argument('--share', default='share')
        p.add_argument('--interval', type=float, default=10.0, help='ms between ECHOs')
        if mode == 'round':
            p.add_argument('--label', required=True)
            p.add_argument('--round', type=int, default=1)
            p.add_argument('--dir', default='big')
            p.add_argument('--last-name', required=True, help='a name in DIR (sanity check)')
            p.add_argument('--seconds', type=float, default=10.0, help='load duration')
            p.add_argument('--baseline', type=float, default=3.0, help='B alone, s')
            p.add_argument('--timeout', type=float, default=600.0, help='per compound, s')
            p.add_argument('--out', required=True)
    p = sub.add_parser('report')
    p.add_argument('--target', default='signet', help='the label the target is for')
    p.add_argument('files', nargs='+')
    args = ap.parse_args()
    if args.mode == 'echo':
        return echo_main(args)
    if args.mode == 'round':
        return round_main(args)
    return report_main(args)


if __name__ == '__main__':
    sys.exit(main())
