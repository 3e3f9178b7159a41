#!/usr/bin/env python3
"""Seeds for fuzz_server (tests/fuzz/fuzz_server.c): request sequences a
client sends once logged on, in the target's record format

    [flags] [length: 2 bytes LE] [an SMB2 message, header first]

The target fills in MessageId, SessionId, TreeId and (flag 0x08) the last
CREATE's FileId, and signs; so the headers here only carry the command, the
credit charge and request, and the flags that matter. Each seed is written
to corpus/server/<name> (run from anywhere; overwrites).

    python3 tests/fuzz/make_server_seeds.py
"""
import os
import struct

UNSIGNED, KEEP_SID, KEEP_TID, LAST_FID, CHAIN, RELATED, SEALED, KEEP_MID = (
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80)
(NEGOTIATE, SESSION_SETUP, LOGOFF, TREE_CONNECT, TREE_DISCONNECT, CREATE, CLOSE, FLUSH,
 READ, WRITE, LOCK, IOCTL, CANCEL, ECHO, QUERY_DIRECTORY, CHANGE_NOTIFY, QUERY_INFO,
 SET_INFO, OPLOCK_BREAK) = range(19)
ASYNC = 0x2
ANY_FID = b'\xff' * 16   # a related compound's "the FileId of the previous CREATE"
NO_FID = b'\0' * 16


def hdr(cmd, charge=1, flags=0, credits=32):
    return struct.pack('<4sHHIHHIIQIIQ16s', b'\xfeSMB', 64, charge, 0, cmd, credits,
                       flags, 0, 0, 0, 0, 0, b'\0' * 16)


def rec(flags, msg):
    return bytes([flags]) + struct.pack('<H', len(msg)) + msg


def u16(s):
    return s.encode('utf-16-le')


def create(name, access=0x0012019F, disposition=3, options=0x40, oplock=0, share=7, attrs=0x80):
    n = u16(name)
    body = struct.pack('<HBBIQQIIIIIHHII', 57, 0, oplock, 2, 0, 0, access, attrs, share,
                       disposition, options, 64 + 56, len(n), 0, 0)
    return hdr(CREATE) + body + (n or b'\0')


def write(data, offset=0, fid=NO_FID):
    body = struct.pack('<HHIQ16sIIHHI', 49, 64 + 48, len(data), offset, fid, 0, 0, 0, 0, 0)
    return hdr(WRITE, charge=max(1, (len(data) + 65535) // 65536)) + body + data


def read(length, offset=0, fid=NO_FID):
    body = struct.pack('<HBBIQ16sIIIHHB', 49, 0x50, 0, length, offset, fid, 0, 0, 0, 0, 0, 0)
    return hdr(READ, charge=max(1, (length + 65535) // 65536)) + body


def close(fid=NO_FID, flags=1):
    return hdr(CLOSE) + struct.pack('<HHI16s', 24, flags, 0, fid)


def flush(fid=NO_FID):
    return hdr(FLUSH) + struct.pack('<HHI16s', 24, 0, 0, fid)


def query_info(info_type, cls, out_len=4096, fid=NO_FID, extra=0):
    body = struct.pack('<HBBIHHIII16s', 41, info_type, cls, out_len, 0, 0, 0, extra, 0, fid)
    return hdr(QUERY_INFO) + body


def set_info(info_type, cls, buf, fid=NO_FID):
    body = struct.pack('<HBBIHHI16s', 33, info_type, cls, len(buf), 64 + 32, 0, 0, fid)
    return hdr(SET_INFO) + body + buf


def query_directory(pattern='*', cls=37, flags=0, fid=NO_FID, out_len=65536):
    n = u16(pattern)
    body = struct.pack('<HBBI16sHHI', 33, cls, flags, 0, fid, 64 + 32, len(n), out_len)
    return hdr(QUERY_DIRECTORY) + body + n


def change_notify(filter_=0x17, flags=1, fid=NO_FID):
    return hdr(CHANGE_NOTIFY) + struct.pack('<HHI16sII', 32, flags, 4096, fid, filter_, 0)


def lock(offset, length, flags, fid=NO_FID):
    return hdr(LOCK) + struct.pack('<HHI16sQQII', 48, 1, 0, fid, offset, length, flags, 0)


def ioctl(ctl, inp=b'', fid=ANY_FID, max_out=4096):
    body = struct.pack('<HHI16sIIIIIIII', 57, 0, ctl, fid, 64 + 56 if inp else 0, len(inp), 0,
                       0, 0, max_out, 1, 0)
    return hdr(IOCTL) + body + inp


def oplock_break_ack(level=0, fid=NO_FID):
    return hdr(OPLOCK_BREAK) + struct.pack('<HBBI16s', 24, level, 0, 0, fid)


def simple(cmd, flags=0):
    return hdr(cmd, flags=flags) + struct.pack('<HH', 4, 0)


def tree_connect(path):
    n = u16(path)
    return hdr(TREE_CONNECT) + struct.pack('<HHHH', 9, 0, 64 + 8, len(n)) + n


SEEDS = {
    'file-lifecycle': [
        rec(0, create('a.txt')),
        rec(LAST_FID, write(b'hello signet ' * 300)),
        rec(LAST_FID, read(4096)),
        rec(LAST_FID, query_info(1, 18)),          # FileAllInformation
        rec(LAST_FID, query_info(1, 5)),           # FileStandardInformation
        rec(LAST_FID, set_info(1, 20, struct.pack('<Q', 100))),   # FileEndOfFile
        rec(LAST_FID, flush()),
        rec(LAST_FID, lock(0, 10, 2)),             # exclusive
        rec(LAST_FID, lock(0, 10, 4)),             # unlock
        rec(LAST_FID, close()),
    ],
    'directory': [
        rec(0, create('d', access=0x00100081, disposition=2, options=1, attrs=0x10)),
        rec(0, create('d\\x.txt')),
        rec(LAST_FID, close()),
        rec(0, create('d', access=0x00100081, disposition=1, options=1, attrs=0x10)),
        rec(LAST_FID, query_directory('*')),
        rec(LAST_FID, query_directory('x*', cls=1, flags=1)),
        rec(LAST_FID, query_info(2, 1)),           # FileFsVolumeInformation
        rec(LAST_FID, close()),
    ],
    'compound-related': [
        rec(CHAIN, create('c.txt')),
        rec(CHAIN | RELATED, write(b'compound', fid=ANY_FID)),
        rec(CHAIN | RELATED, read(8, fid=ANY_FID)),
        rec(RELATED, close(fid=ANY_FID)),
    ],
    'notify-cancel': [
        rec(0, create('', access=0x00100081, disposition=1, options=1, attrs=0x10)),
        rec(LAST_FID, change_notify()),
        rec(0, create('n.txt', disposition=2)),
        rec(LAST_FID, change_notify()),
        rec(0, simple(CANCEL, flags=ASYNC)),
    ],
    'oplock-break': [
        rec(0, create('o.txt', oplock=9)),         # batch
        rec(0, create('o.txt', oplock=9)),         # a second open breaks it
        rec(LAST_FID, oplock_break_ack(0)),
        rec(LAST_FID, close()),
    ],
    'rename-delete': [
        rec(0, create('r.txt', access=0x0013019F)),
        rec(LAST_FID, set_info(1, 10, struct.pack('<BxxxxxxxQI', 0, 0, 10) + u16('s.txt'))),
        rec(LAST_FID, set_info(1, 13, b'\x01')),   # FileDispositionInformation
        rec(LAST_FID, close()),
        rec(0, create('s.txt', disposition=1)),
    ],
    'ioctl': [
        rec(0, ioctl(0x00140204, struct.pack('<I16sHH', 0x7f, b'\x11' * 16, 1, 1) +
                     struct.pack('<H', 0x311))),    # FSCTL_VALIDATE_NEGOTIATE_INFO
        rec(0, ioctl(0x001401FC)),                  # FSCTL_QUERY_NETWORK_INTERFACE_INFO
        rec(0, create('i.txt')),
        rec(LAST_FID, ioctl(0x00140078, fid=NO_FID)),   # FSCTL_SRV_REQUEST_RESUME_KEY
        rec(LAST_FID, ioctl(0x000900C4, fid=NO_FID)),   # FSCTL_SET_SPARSE
    ],
    'session-end': [
        rec(0, simple(ECHO)),
        rec(UNSIGNED, simple(ECHO)),
        rec(0, tree_connect('\\\\127.0.0.1\\IPC$')),
        rec(0, simple(TREE_DISCONNECT)),
        rec(0, simple(LOGOFF)),
        rec(0, simple(ECHO)),
    ],
    'sealed': [
        rec(SEALED, create('e.txt')),
        rec(SEALED | LAST_FID, write(b'sealed data')),
        rec(SEALED | CHAIN, simple(ECHO)),
        rec(SEALED, simple(ECHO)),
    ],
}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus', 'server')
    os.makedirs(out, exist_ok=True)
    for name, recs in SEEDS.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(b''.join(recs))
    print('wrote %d seeds to %s' % (len(SEEDS), out))


if __name__ == '__main__':
    main()
