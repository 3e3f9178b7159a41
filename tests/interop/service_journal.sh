#!/bin/sh
# signetd's structured journald events (issue 14): an impacket client that
# signs nothing logs on to a signetd with `server signing = auto` and
# `server signing audit = yes` started with --journal; the native-protocol
# datagram sd_journal_send(3) sends for event 3021 carries SIGNET_EVENT=3021
# and the client, user, session, dialect, signing and cipher fields, MESSAGE
# is the plain line signetd also writes to stderr, and a failed logon is
# filed as SIGNET_EVENT=logon-failed.
#
# No journald runs here, and the real /run/systemd/journal/socket must not
# be touched: the script re-runs itself in a private mount namespace
# (unshare -m) with a tmpfs on /run/systemd, where it binds the socket itself
# and decodes the datagrams (the journal's native protocol: KEY=VALUE lines,
# or KEY, a 64-bit little-endian length and the bytes).
#
#   tests/interop/service_journal.sh [BUILD_DIR]
#
# Ports 4320-4329. Every process started here is stopped by its pid.
set -eu
BUILD=${1:-build}
if [ -z "${SIGNET_JOURNAL_NS:-}" ]; then
    command -v unshare >/dev/null || { echo "SKIP: no unshare (util-linux)"; exit 77; }
    unshare -m true 2>/dev/null || { echo "SKIP: unshare -m not permitted here"; exit 77; }
    SIGNET_JOURNAL_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
[ -x "$SIGNETD" ] || { echo "no $SIGNETD (build first)"; exit 2; }
/usr/bin/python3 -c 'import impacket' 2>/dev/null || { echo "SKIP: no impacket"; exit 77; }
command -v smbclient >/dev/null || { echo "SKIP: smbclient not installed"; exit 77; }
mount -t tmpfs signet-journal-test /run/systemd
mkdir /run/systemd/journal

. "$(dirname "$0")/server_lib.sh"
srv_lib_init 4320 4329 PID SINK
cd "$WORK"
mkdir share
srv_lib_add_user bob secret
cat >signet.conf <<CONF
[global]
  listen = 127.0.0.1:$PORT
  server signing = auto
  server signing audit = yes
  server smb encrypt = off
  user database = $WORK/users
  admin socket = $WORK/admin.sock
  invalid authentication delay = 0
  # 3022 would be logged (and filed) at info level
  log level = info
[share]
  path = $WORK/share
CONF

# the journal: every datagram decoded, one JSON object a line
cat >sink.py <<'PY'
import json, os, socket, struct, sys
path = "/run/systemd/journal/socket"
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
out = open(sys.argv[1], "a")
def decode(b):
    f = {}
    while b:
        nl = b.find(b"\n")
        eq = b.find(b"=", 0, nl if nl >= 0 else len(b))
        if eq >= 0:
            f[b[:eq].decode()] = b[eq + 1:nl].decode()
            b = b[nl + 1:]
        else:
            key = b[:nl].decode()
            (n,) = struct.unpack("<Q", b[nl + 1:nl + 9])
            f[key] = b[nl + 9:nl + 9 + n].decode()
            b = b[nl + 10 + n:]
    return f
print("listening", flush=True)
while True:
    d = s.recv(1 << 20)
    out.write(json.dumps(decode(d)) + "\n")
    out.flush()
PY
: >journal.jsonl
/usr/bin/python3 sink.py journal.jsonl >sink.txt 2>&1 &
SINK=$!
for _ in $(seq 50); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done

"$SIGNETD" --config signet.conf --foreground --journal 2>stderr.txt &
PID=$!
for _ in $(seq 50); do grep -q "ready:" stderr.txt 2>/dev/null && break; sleep 0.1; done
grep -q "ready:" stderr.txt && ok "signetd --journal (server signing = auto, audit = yes)" ||
    { bad "signetd did not start: $(cat stderr.txt)"; exit 1; }

# bob signs nothing (impacket signs only when the server requires it)
timeout 60 /usr/bin/python3 -c 'import sys
from impacket.smbconnection import SMBConnection
c = SMBConnection("SIGNET", "127.0.0.1", sess_port=int(sys.argv[1]))
c.login("bob", "secret")
c.connectTree("share")
print("dialect", hex(c.getDialect()))
c.logoff()' "$PORT" >bob.txt 2>&1 || bad "impacket: $(cat bob.txt)"
# and a wrong password
smbclient //127.0.0.1/share -p "$PORT" -U bob%wrong -m SMB3_11 -c ls >wrong.txt 2>&1 || true
for _ in $(seq 50); do grep -q '"SIGNET_EVENT": "logon-failed"' journal.jsonl && break; sleep 0.1; done

python3 - "$PORT" <<'PY'
import json, re, sys
port = sys.argv[1]
evs = [json.loads(l) for l in open("journal.jsonl")]
stderr = open("stderr.txt").read()
fails = 0
def check(good, what):
    global fails
    fails += not good
    print(("ok   - " if good else "FAIL - ") + what)
e3021 = [e for e in evs if e.get("SIGNET_EVENT") == "3021"]
check(len(e3021) == 1, "one SIGNET_EVENT=3021 entry (%d of %d datagrams)" % (len(e3021), len(evs)))
if e3021:
    e = e3021[0]
    check(e.get("SIGNET_USER") == "bob", "SIGNET_USER=%s" % e.get("SIGNET_USER"))
    check(re.fullmatch(r"127\.0\.0\.1:\d+", e.get("SIGNET_CLIENT", "")) is not None,
          "SIGNET_CLIENT=%s" % e.get("SIGNET_CLIENT"))
    check(re.fullmatch(r"0x[0-9a-f]{16}", e.get("SIGNET_SESSION", "")) is not None and
          e["SIGNET_SESSION"] != "0x0000000000000000", "SIGNET_SESSION=%s" % e.get("SIGNET_SESSION"))
    check(e.get("SIGNET_DIALECT") in ("3.0", "3.0.2", "3.1.1", "2.1", "2.0.2"),
          "SIGNET_DIALECT=%s" % e.get("SIGNET_DIALECT"))
    check(e.get("SIGNET_SIGNING") in ("AES-128-CMAC", "HMAC-SHA256", "AES-128-GMAC"),
          "SIGNET_SIGNING=%s (the session's key; the client did not use it)" % e.get("SIGNET_SIGNING"))
    check(e.get("SIGNET_CIPHER") == "none", "SIGNET_CIPHER=%s" % e.get("SIGNET_CIPHER"))
    check(e.get("PRIORITY") == "5" and e.get("SYSLOG_IDENTIFIER") == "signetd",
          "PRIORITY=%s (notice), SYSLOG_IDENTIFIER=%s" % (e.get("PRIORITY"), e.get("SYSLOG_IDENTIFIER")))
    msg = e.get("MESSAGE", "")
    check(msg.startswith("audit 3021: session %s user bob from " % e.get("SIGNET_SESSION")) and
          ("notice: " + msg) in stderr, "MESSAGE is the plain stderr line: %s" % msg)
check(not [e for e in evs if e.get("SIGNET_EVENT") == "3022"],
      "no 3022: impacket's SMB 3.0 client offers encryption")
lf = [e for e in evs if e.get("SIGNET_EVENT") == "logon-failed"]
check(len(lf) >= 1 and "STATUS_LOGON_FAILURE" in lf[0].get("MESSAGE", "") and
      lf[0].get("PRIORITY") == "4", "failed logon: SIGNET_EVENT=logon-failed, PRIORITY=4: %s" %
      (lf[0].get("MESSAGE") if lf else "none"))
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || FAILS=$((FAILS + 1))
kill "$PID"
wait "$PID" 2>/dev/null || true
PID=

# As under systemd: stderr is the journal stream (JOURNAL_STREAM=DEV:INODE of
# fd 2), no --journal. The 3021 entry is filed with its fields and the plain
# line is not written to stderr as well (it would be in the journal twice);
# other lines carry their <PRIORITY> prefix.
PORT2=$((PORT + 1))
sed "s/127.0.0.1:$PORT\$/127.0.0.1:$PORT2/" signet.conf >signet2.conf
: >stderr2.txt
: >journal.jsonl
JOURNAL_STREAM=$(stat -c '%d:%i' stderr2.txt) "$SIGNETD" --config signet2.conf --foreground 2>>stderr2.txt &
PID=$!
for _ in $(seq 50); do grep -q "ready:" stderr2.txt 2>/dev/null && break; sleep 0.1; done
timeout 60 /usr/bin/python3 -c 'import sys
from impacket.smbconnection import SMBConnection
c = SMBConnection("SIGNET", "127.0.0.1", sess_port=int(sys.argv[1]))
c.login("bob", "secret")
c.logoff()' "$PORT2" >bob2.txt 2>&1 || bad "impacket: $(cat bob2.txt)"
for _ in $(seq 50); do grep -q '"SIGNET_EVENT": "3021"' journal.jsonl && break; sleep 0.1; done
grep -q '"SIGNET_EVENT": "3021".*"SIGNET_USER": "bob"' journal.jsonl &&
    ok "stderr is the journal: 3021 filed with its fields without --journal" ||
    bad "stderr is the journal: no 3021 entry: $(cat journal.jsonl)"
grep -q "<5>signetd\[[0-9]*\]: notice: ready:" stderr2.txt && ! grep -q "audit 3021" stderr2.txt &&
    ok "stderr is the journal: lines carry <PRIORITY>, the 3021 line is not doubled there" ||
    bad "stderr is the journal: $(cat stderr2.txt)"
[ "$FAILS" -eq 0 ]
