#!/usr/bin/python3
"""A TCP proxy between the client and a real server that flips one bit in one
response (issue 3d): the first server frame whose SMB2 Command is --command
gets bit 0 of the byte at --offset (from the SMB2 header; default 66, inside
the body) inverted. Everything else passes through untouched."""
import argparse
import socket
import struct
import sys
import threading


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def pump_client(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def pump_server(src, dst, args, state):
    try:
        while True:
            hdr = recv_exact(src, 4)
            msg = bytearray(recv_exact(src, struct.unpack(">I", hdr)[0] & 0xFFFFFF))
            if (not state["done"] and msg[:4] == b"\xfeSMB"
                    and struct.unpack_from("<H", msg, 12)[0] == args.command
                    and len(msg) > args.offset):
                msg[args.offset] ^= 0x01
                state["done"] = True
                with open(args.log, "a") as log:
                    log.write("flipped command %d offset %d\n" % (args.command, args.offset))
            dst.sendall(hdr + bytes(msg))
    except (EOFError, OSError):
        pass
    finally:
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--listen", type=int, required=True)
    p.add_argument("--target", type=int, required=True)
    p.add_argument("--command", type=int, default=3)
    p.add_argument("--offset", type=int, default=66)
    p.add_argument("--log", required=True)
    p.add_argument("--ready")
    args = p.parse_args()
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.listen))
    srv.listen(4)
    if args.ready:
        open(args.ready, "w").close()
    while True:
        c, _ = srv.accept()
        s = socket.create_connection(("127.0.0.1", args.target))
        state = {"done": False}
        threading.Thread(target=pump_client, args=(c, s), daemon=True).start()
        threading.Thread(target=pump_server, args=(s, c, args, state), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
