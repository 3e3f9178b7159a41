# A TCP proxy for server_tamper.sh (a helper, not executable): relays one
# client's SMB2 connection to signetd and, once SESSION_SETUP has succeeded,
# flips one bit in the first signed request that matches, then records what
# signetd answered to it.
#
#   python3 server_tamper_proxy.py LISTEN_PORT SERVER_PORT COMMAND WHERE [NAME]
#
# COMMAND  the SMB2 command to tamper with: CREATE or WRITE
# WHERE    flags (the DFS bit of Flags), signed (clears SMB2_FLAGS_SIGNED),
#          msgid (bit 0 of MessageId), body (a bit of the file name for
#          CREATE, of the data for WRITE), signature (a bit of the signature)
# NAME     for CREATE: only a request whose file name contains NAME
#
# Prints "listening" once it accepts, then one "tampered ..." line and one
# "result ..." line: "result status 0xc0000022" (the NTSTATUS of the response
# to the tampered message id) or "result disconnect" (signetd closed the
# connection without answering). Serves one connection, then exits.
import select
import socket
import struct
import sys

CMDS = {'SESSION_SETUP': 1, 'CREATE': 5, 'WRITE': 9}
SMB2_FLAGS_SERVER_TO_REDIR = 0x1
SMB2_FLAGS_SIGNED = 0x8


def frames(buf):
    """Split complete NBSS frames off buf; returns (frames, rest)."""
    out = []
    while len(buf) >= 4:
        n = struct.unpack('>I', buf[:4])[0] & 0xffffff
        if len(buf) < 4 + n:
            break
        out.append(bytearray(buf[:4 + n]))
        buf = buf[4 + n:]
    return out, buf


def main():
    lport, sport, cmd, where = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    name = sys.argv[5].encode('utf-16-le') if len(sys.argv) > 5 else b''
    want = CMDS[cmd]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', lport))
    ls.listen(1)
    print('listening', flush=True)
    ls.settimeout(60)
    cli, _ = ls.accept()
    srv = socket.create_connection(('127.0.0.1', sport))
    authed = False     # a SESSION_SETUP response with STATUS_SUCCESS was relayed
    tampered = None    # message ids the tampered request may be answered under
    result = None
    cbuf = sbuf = b''
    socks = [cli, srv]
    while True:
        r, _, _ = select.select(socks, [], [], 60)
        if not r:
            break
        done = False
        for s in r:
            data = s.recv(1 << 20)
            if not data:
                done = True
                break
            if s is cli:
                fr, cbuf = frames(cbuf + data)
                for f in fr:
                    m = f[4:]
                    if (authed and tampered is None and len(m) >= 64 and m[:4] == b'\xfeSMB'
                            and struct.unpack_from('<H', m, 12)[0] == want
                            and struct.unpack_from('<I', m, 16)[0] & SMB2_FLAGS_SIGNED
                            and (not name or name in bytes(m))):
                        mid = struct.unpack_from('<Q', m, 24)[0]
                        if where == 'flags':
                            off, bit = 19, 0x10          # SMB2_FLAGS_DFS_OPERATIONS
                        elif where == 'signed':
                            off, bit = 16, SMB2_FLAGS_SIGNED
                        elif where == 'msgid':
                            off, bit = 24, 0x01
                        elif where == 'signature':
                            off, bit = 50, 0x04
                        elif cmd == 'CREATE':          # NameOffset: a bit of the name
                            off, bit = struct.unpack_from('<H', m, 64 + 44)[0] + 2, 0x01
                        else:                          # WRITE DataOffset: a bit of the data
                            off, bit = struct.unpack_from('<H', m, 64 + 2)[0] + 1, 0x02
                        m[off] ^= bit
                        f[4:] = m
                        tampered = {mid, struct.unpack_from('<Q', m, 24)[0]}
                        print('tampered %s message id %d: byte %d ^= 0x%02x (%s)'
                              % (cmd, mid, off, bit, where), flush=True)
                    srv.sendall(f)
            else:
                fr, sbuf = frames(sbuf + data)
                for f in fr:
                    m = f[4:]
                    if len(m) >= 64 and m[:4] == b'\xfeSMB':
                        c = struct.unpack_from('<H', m, 12)[0]
                        st = struct.unpack_from('<I', m, 8)[0]
                        mid = struct.unpack_from('<Q', m, 24)[0]
                        fl = struct.unpack_from('<I', m, 16)[0]
                        if c == CMDS['SESSION_SETUP'] and st == 0:
                            authed = True
                        if (tampered is not None and result is None and mid in tampered
                                and fl & SMB2_FLAGS_SERVER_TO_REDIR and st != 0x103):
                            result = 'status 0x%08x' % st
                            print('result ' + result, flush=True)
                    cli.sendall(f)
        if done:
            break
    if tampered is not None and result is None:
        print('result disconnect', flush=True)
    if tampered is None:
        print('result untampered (no matching request)', flush=True)
    for s in (cli, srv):
        s.close()


if __name__ == '__main__':
    main()
