#!/usr/bin/python3
"""A scripted SMB2 server for the client's Windows-behaviour tests (issue 3a, 3c).

It answers NEGOTIATE and both SESSION_SETUP rounds of an NTLMSSP/SPNEGO logon
without ever signing, then claims what --mode says:

  unsigned  a normal user session, final response unsigned (a server that does not sign)
  guest     SessionFlags IS_GUEST
  null      SessionFlags IS_NULL (anonymous), although the client sent credentials

It never checks the password and holds no keys, so a correct client must refuse
the session before sending anything else. Every command it receives is appended
to --log, one name per line, so the test can show that nothing was read or written.
"""
import argparse
import os
import socket
import struct
import sys
import time

NEGOTIATE, SESSION_SETUP = 0, 1
STATUS_SUCCESS, STATUS_MORE = 0, 0xC0000016
NAMES = ["NEGOTIATE", "SESSION_SETUP", "LOGOFF", "TREE_CONNECT", "TREE_DISCONNECT", "CREATE",
         "CLOSE", "FLUSH", "READ", "WRITE", "LOCK", "IOCTL", "CANCEL", "ECHO", "QUERY_DIRECTORY",
         "CHANGE_NOTIFY", "QUERY_INFO", "SET_INFO", "OPLOCK_BREAK"]
NTLMSSP_OID = bytes.fromhex("2b0601040182370202 0a".replace(" ", ""))


def der(tag, body):
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(ln)]) + ln + body


def neg_token_resp(state, token=None):
    parts = der(0xA0, der(0x0A, bytes([state])))
    if token is not None:
        parts += der(0xA1, der(0x06, NTLMSSP_OID))
        parts += der(0xA2, der(0x04, token))
    return der(0xA1, der(0x30, parts))


def av(id_, val):
    return struct.pack("<HH", id_, len(val)) + val


def challenge():
    name = "FAKE".encode("utf-16le")
    ft = int((time.time() + 11644473600) * 10_000_000)
    ti = av(2, name) + av(1, name) + av(7, struct.pack("<Q", ft)) + av(0, b"")
    flags = 0xE2898215
    off = 56
    msg = b"NTLMSSP\0" + struct.pack("<I", 2)
    msg += struct.pack("<HHI", len(name), len(name), off)
    msg += struct.pack("<I", flags) + os.urandom(8) + b"\0" * 8
    msg += struct.pack("<HHI", len(ti), len(ti), off + len(name))
    msg += bytes([10, 0]) + struct.pack("<H", 26100) + b"\0\0\0\x0f"
    return msg + name + ti


def header(cmd, status, mid, sid, flags=1, credits=64):
    return (b"\xfeSMB" + struct.pack("<HHIHHIIQ", 64, 0, status, cmd, credits, flags, 0, mid)
            + struct.pack("<IIQ", 0, 0, sid) + b"\0" * 16)


def negotiate_body(dialect):
    ctx = b""
    count = 0
    if dialect == 0x0311:
        pre = struct.pack("<HHH", 1, 32, 1) + os.urandom(32)
        ctx = struct.pack("<HHI", 1, len(pre), 0) + pre
        ctx += b"\0" * ((8 - len(ctx) % 8) % 8)
        sig = struct.pack("<HH", 1, 1)  # one algorithm: AES-CMAC
        ctx += struct.pack("<HHI", 8, len(sig), 0) + sig
        count = 2
    ft = int((time.time() + 11644473600) * 10_000_000)
    body = struct.pack("<HHHH", 65, 0x0001, dialect, count) + os.urandom(16)
    body += struct.pack("<IIIIQQ", 0, 8 << 20, 8 << 20, 8 << 20, ft, 0)
    body += struct.pack("<HHI", 128, 0, 128 if count else 0)
    return body + ctx


def setup_body(flags, token):
    return struct.pack("<HHHH", 9, flags, 72, len(token)) + token


def frame(msg):
    return struct.pack(">I", len(msg)) + msg


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def serve(conn, args, log):
    rounds = 0
    while True:
        n = struct.unpack(">I", recv_exact(conn, 4))[0] & 0xFFFFFF
        msg = recv_exact(conn, n)
        if msg[:4] != b"\xfeSMB":
            return
        cmd = struct.unpack_from("<H", msg, 12)[0]
        mid = struct.unpack_from("<Q", msg, 24)[0]
        log.write((NAMES[cmd] if cmd < len(NAMES) else hex(cmd)) + "\n")
        log.flush()
        if cmd == NEGOTIATE:
            offered = [struct.unpack_from("<H", msg, 100 + 2 * i)[0]
                       for i in range(struct.unpack_from("<H", msg, 66)[0])]
            dialect = max(d for d in offered if d <= args.dialect)
            conn.sendall(frame(header(0, 0, mid, 0) + negotiate_body(dialect)))
        elif cmd == SESSION_SETUP and rounds == 0:
            rounds = 1
            tok = neg_token_resp(1, challenge())
            conn.sendall(frame(header(1, STATUS_MORE, mid, 0x1234) + setup_body(0, tok)))
        elif cmd == SESSION_SETUP:
            sflags = {"unsigned": 0, "guest": 1, "null": 2}[args.mode]
            tok = neg_token_resp(0)
            conn.sendall(frame(header(1, STATUS_SUCCESS, mid, 0x1234) + setup_body(sflags, tok)))
        else:
            return  # a correct client never gets here; the log shows it if it does


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--mode", choices=["unsigned", "guest", "null"], default="unsigned")
    p.add_argument("--dialect", type=lambda v: int(v, 16), default=0x0311)
    p.add_argument("--log", required=True)
    p.add_argument("--ready", help="file to create once listening")
    args = p.parse_args()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(4)
    if args.ready:
        open(args.ready, "w").close()
    with open(args.log, "a") as log:
        while True:
            conn, _ = srv.accept()
            try:
                serve(conn, args, log)
            except (EOFError, ConnectionError):
                pass
            finally:
                conn.close()


if __name__ == "__main__":
    sys.exit(main())
