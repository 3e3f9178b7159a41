#!/bin/sh
# signetd's systemd readiness (issue 14): started with NOTIFY_SOCKET naming a
# datagram socket this test listens on, as systemd's Type=notify does. READY=1
# must come only once the port accepts connections (a connect made the moment
# READY=1 is read succeeds, and nothing before it said READY), with MAINPID =
# signetd's pid; SIGHUP (ExecReload) gives RELOADING=1 then READY=1; SIGTERM
# gives STOPPING=1. A signetd whose port is taken never says READY=1.
#
#   tests/interop/service_notify.sh [BUILD_DIR]
#
# Ports 4310-4319. Every process started here is stopped by its pid.
set -eu
BUILD=${1:-build}
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
[ -x "$SIGNETD" ] || { echo "no $SIGNETD (build first)"; exit 2; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }

. "$(dirname "$0")/server_lib.sh"
srv_lib_init 4310 4319 PID HOLD
cd "$WORK"
mkdir share
: >users
chmod 600 users
cat >signet.conf <<CONF
[global]
  listen = 127.0.0.1:$PORT
  user database = $WORK/users
  admin socket = $WORK/admin.sock
[share]
  path = $WORK/share
CONF

# notify.py SIGNETD PORT: run signetd under NOTIFY_SOCKET and print one line
# per check ("ok ..." / "FAIL ...").
cat >notify.py <<'PY'
import os, signal, socket, subprocess, sys, time
signetd, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
path = os.path.abspath("notify.sock")
if os.path.exists(path):
    os.unlink(path)
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
sock.settimeout(15)
env = dict(os.environ, NOTIFY_SOCKET=path)
err = open("stderr-%s.txt" % mode, "w")
p = subprocess.Popen([signetd, "--config", "signet.conf", "--foreground"], env=env, stderr=err)
fails = []
def result(good, what):
    if not good:
        fails.append(what)
    print(("ok   - " if good else "FAIL - ") + what, flush=True)
def connects():
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return True
    except OSError:
        return False
def recv_until(word):
    seen = []
    while True:
        try:
            msg = sock.recv(4096).decode()
        except socket.timeout:
            return seen, None, False
        fields = dict(l.split("=", 1) for l in msg.split("\n") if "=" in l)
        if fields.get(word) == "1":
            return seen, fields, connects()
        seen.append(msg)
if mode == "taken":
    # the port is held by someone else: signetd must fail and never be ready
    rc = p.wait(timeout=15)
    sock.settimeout(0.5)
    try:
        msgs = [sock.recv(4096).decode()]
    except socket.timeout:
        msgs = []
    result(rc != 0 and not any("READY=1" in m for m in msgs),
           "port taken: signetd exits %d and never says READY=1 (%d datagrams)" % (rc, len(msgs)))
    sys.exit(1 if fails else 0)
before, ready, up = recv_until("READY")
result(ready is not None, "READY=1 received%s" % (": %r" % ready if ready else " (none in 15 s)"))
result(up, "the port accepted a connection the moment READY=1 was read")
result(not any("READY=1" in m for m in before), "no READY=1 before that (%d earlier datagrams)" % len(before))
result(ready is not None and ready.get("MAINPID") == str(p.pid), "MAINPID=%s is signetd's pid %d" % (ready and ready.get("MAINPID"), p.pid))
result(ready is not None and "server signing = mandatory" in ready.get("STATUS", ""), "STATUS=%s" % (ready and ready.get("STATUS")))
p.send_signal(signal.SIGHUP)
before, again, _ = recv_until("READY")
result(any("RELOADING=1" in m for m in before) and again is not None,
       "SIGHUP: RELOADING=1 then READY=1 (%r)" % before)
p.send_signal(signal.SIGTERM)
_, stopping, _ = recv_until("STOPPING")
rc = p.wait(timeout=15)
result(stopping is not None and rc == 0, "SIGTERM: STOPPING=1, exit %d" % rc)
sys.exit(1 if fails else 0)
PY
/usr/bin/python3 notify.py "$SIGNETD" "$PORT" ready || FAILS=$((FAILS + 1))
# the same with the port already taken by a listener of ours
/usr/bin/python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(60)' "$PORT" &
HOLD=$!
for _ in $(seq 50); do bash -c "exec 3<>/dev/tcp/127.0.0.1/$PORT" 2>/dev/null && break; sleep 0.1; done
/usr/bin/python3 notify.py "$SIGNETD" "$PORT" taken || FAILS=$((FAILS + 1))
grep -q "cannot listen on 127.0.0.1:$PORT" stderr-taken.txt && ok "port taken: the error names the address" ||
    bad "port taken: $(cat stderr-taken.txt)"
[ "$FAILS" -eq 0 ]
