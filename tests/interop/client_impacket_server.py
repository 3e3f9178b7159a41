#!/usr/bin/python3
"""impacket's SimpleSMBServer as a server peer for the client tests.

    client_impacket_server.py --port P --share DIR [--user U --password PW] --ready FILE

Serves DIR as the share SHARE on 127.0.0.1:P with SMB2 enabled. With --user,
that account (NT hash of --password) is the only one accepted; without it
impacket grants every logon as guest. Writes --ready once it is listening.
Stop it with SIGTERM (by its pid).

What impacket 0.10 does, read from impacket/smbserver.py: NEGOTIATE always
answers SMB 2.0.2 with SecurityMode = SIGNING_ENABLED (never REQUIRED) and
64 KiB maximum reads and writes; an authenticated session signs every
response with HMAC-SHA256 over the NTLM session key; incoming signatures are
never verified.
"""
import argparse
import logging
import signal
import sys

from impacket import smbserver
from impacket.ntlm import compute_lmhash, compute_nthash


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--share", required=True)
    ap.add_argument("--user")
    ap.add_argument("--password", default="")
    ap.add_argument("--ready", required=True)
    a = ap.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    s = smbserver.SimpleSMBServer(listenAddress="127.0.0.1", listenPort=a.port)
    s.addShare("SHARE", a.share, "signet interop")
    s.setSMB2Support(True)
    if a.user:
        s.addCredential(a.user, 0, compute_lmhash(a.password), compute_nthash(a.password))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(a.ready, "w") as f:  # the socket is bound: __init__ did it
        f.write("ready\n")
    s.start()


if __name__ == "__main__":
    main()
