# A TCP proxy for server_tamper_sealed.sh (a helper, not executable): relays
# one client's encrypted SMB 3 connection to signetd. It cannot read the
# encrypted requests, so the client tells it which one to act on: the file
# ARM in the working directory, made by the client just before it sends a
# request, arms the proxy for the next TRANSFORM_HEADER message it relays.
#
#   python3 server_seal_proxy.py LISTEN_PORT SERVER_PORT ACTION [WHERE]
#
# ACTION   flip: flip one bit of the armed message at WHERE, one of
#            signature, nonce, size (OriginalMessageSize), flags, session,
#            ciphertext (the first byte after the header), tail (its last)
#          replay: relay the armed message untouched and keep a copy; when
#            the file INJECT appears, send the copy again and do not relay
#            what answers it
# Prints "listening", then "armed ...", and "result disconnect" (signetd
# closed the connection after the flipped or replayed message) or
# "result answered N bytes" (it answered it). Serves one connection.
import os
import select
import socket
import sys

from server_tamper_proxy import frames  # NBSS framing, shared

TRANSFORM = b'\xfdSMB'
# [MS-SMB2] 2.2.41: ProtocolId 0, Signature 4, Nonce 20, OriginalMessageSize
# 36, Reserved 40, Flags 42, SessionId 44, then the encrypted message at 52.
FLIP_AT = {'signature': 4, 'nonce': 20, 'size': 36, 'flags': 42, 'session': 44,
           'ciphertext': 52}


def flip(f, where):
    off = 4 + (FLIP_AT[where] if where in FLIP_AT else len(f) - 4 - 1)
    f[off] ^= 0x01 if where != 'size' else 0x10
    return off - 4


def main():
    lport, sport, action = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    where = sys.argv[4] if len(sys.argv) > 4 else ''
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', lport))
    ls.listen(1)
    print('listening', flush=True)
    ls.settimeout(60)
    cli, _ = ls.accept()
    srv = socket.create_connection(('127.0.0.1', sport))
    acted = False      # the armed message was flipped, or the copy injected
    copy = None
    result = None
    cbuf = sbuf = b''
    while True:
        r, _, _ = select.select([cli, srv], [], [], 0.1)
        if action == 'replay' and copy and not acted and os.path.exists('INJECT'):
            srv.sendall(copy)
            acted = True
            print('injected the copy again (%d bytes)' % len(copy), flush=True)
        done = False
        for s in r:
            data = s.recv(1 << 20)
            if not data:
                done = True
                break
            if s is cli:
                fr, cbuf = frames(cbuf + data)
                for f in fr:
                    if f[4:8] == TRANSFORM and os.path.exists('ARM') and copy is None and not acted:
                        os.unlink('ARM')
                        if action == 'flip':
                            off = flip(f, where)
                            acted = True
                            print('armed: flipped a bit of byte %d (%s) of a %d-byte message'
                                  % (off, where, len(f) - 4), flush=True)
                        else:
                            copy = bytes(f)
                            print('armed: kept a copy of a %d-byte message' % (len(f) - 4),
                                  flush=True)
                    srv.sendall(f)
            else:
                fr, sbuf = frames(sbuf + data)
                for f in fr:
                    if action == 'replay' and acted and result is None:
                        result = 'answered %d bytes' % (len(f) - 4)
                        print('result ' + result, flush=True)
                        continue   # the client did not send it: not relayed
                    if action == 'flip' and acted and result is None:
                        result = 'answered %d bytes' % (len(f) - 4)
                        print('result ' + result, flush=True)
                    cli.sendall(f)
        if done:
            break
    if acted and result is None:
        print('result disconnect', flush=True)
    for s in (cli, srv):
        s.close()


main()
