#!/bin/sh
# CHANGE_NOTIFY ([MS-SMB2] 3.3.5.19) with real peers (peers.md): smbclient's
# `notify` (SMB2_WATCH_TREE, every filter) on a directory of signetd's share
# sees
#   - a file a second smbclient puts, reported once (not again when the
#     kernel reports signetd's own change);
#   - a file a local process makes (touch), a local rename (mv: old name,
#     new name) and removal (rm);
#   - a file made in a subdirectory a local process made after the watch
#     started;
# and impacket's CHANGE_NOTIFY (built on its SMB3 connection; impacket has
# no API for it) sees a local touch and a file smbclient puts.
#
#   tests/interop/server_notify.sh [BUILD_DIR]
#
# signetd listens on 127.0.0.1:<free port in 4620-4649>, with `log level =
# debug`: its log says when a CHANGE_NOTIFY went async, which is when the
# peer's watch is in place. Every process started here is stopped by its
# pid.
set -eu

BUILD=${1:-build}
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
[ -x "$SIGNETD" ] || { echo "no $SIGNETD (build first)"; exit 2; }
command -v smbclient >/dev/null || { echo "SKIP: smbclient not installed"; exit 77; }

# shellcheck disable=SC1091 # sourced helper, checked on its own
. "$(dirname "$0")/server_lib.sh"
srv_lib_init 4620 4649 PID NPID IPID

cd "$WORK"
mkdir -p share/watched
srv_lib_add_user alice secret
cat >signet.conf <<CONF
[global]
  listen = 127.0.0.1:$PORT
  server signing = mandatory
  user database = $WORK/users
  invalid authentication delay = 0
  log level = debug
[share]
  path = $WORK/share
  read only = no
  valid users = alice
CONF
srv_lib_start_signetd signet.conf
ok "signetd (pid $PID) on 127.0.0.1:$PORT, signing mandatory"

smb() {
    timeout 30 smbclient "//127.0.0.1/share" -p "$PORT" -U "alice%secret" -m SMB3_11 \
        --client-protection=sign "$@"
}
# CHANGE_NOTIFY requests that went async so far
pending() { grep -c ': CHANGE_NOTIFY message [0-9]*: async' stderr.txt || true; }
# Wait (up to 10 s) until more than $1 did: a watch is in place.
wait_pending() {
    for _ in $(seq 100); do
        [ "$(pending)" -gt "$1" ] && return 0
        sleep 0.1
    done
    return 1
}
# Wait (up to 10 s) until file $1 has a line matching $2.
wait_line() {
    for _ in $(seq 100); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
# check DESCRIPTION FILE REGEX
expect_line() {
    if wait_line "$2" "$3"; then ok "$1"; else bad "$1: no line '$3' in $2"; fi
}

# ---- smbclient's notify ----
# smbclient prints each change as "ACTION NAME" (%04x), a line at a time
# under stdbuf; it loops until stopped.
n=$(pending)
timeout 120 stdbuf -oL smbclient "//127.0.0.1/share" -p "$PORT" -U "alice%secret" -m SMB3_11 \
    --client-protection=sign -c 'notify watched' >notify.txt 2>&1 &
NPID=$!
if wait_pending "$n"; then
    ok "smbclient notify watched: waiting (async)"
else
    bad "smbclient's CHANGE_NOTIFY never went async"
fi

printf 'put by another client\n' >up.txt
smb -c 'put up.txt watched\from_client.txt' >put.txt 2>&1 || true
expect_line "smbclient notify: 0001 (ADDED) from_client.txt, put by a second smbclient" \
    notify.txt '^0001 from_client.txt$'

touch share/watched/from_local.txt
expect_line "smbclient notify: 0001 (ADDED) from_local.txt, made by touch on the server host" \
    notify.txt '^0001 from_local.txt$'
# The kernel saw from_client.txt made before from_local.txt: its report of
# signetd's own change, had it come through, would be above.
c=$(grep -c '^0001 from_client.txt$' notify.txt || true)
if [ "$c" -eq 1 ]; then
    ok "from_client.txt reported once (the kernel's echo of signetd's change dropped)"
else
    bad "from_client.txt ADDED reported $c times"
fi

mv share/watched/from_local.txt share/watched/renamed.txt
expect_line "smbclient notify: 0004 (RENAMED_OLD_NAME) from_local.txt after mv" \
    notify.txt '^0004 from_local.txt$'
expect_line "smbclient notify: 0005 (RENAMED_NEW_NAME) renamed.txt after mv" \
    notify.txt '^0005 renamed.txt$'
rm share/watched/renamed.txt
expect_line "smbclient notify: 0002 (REMOVED) renamed.txt after rm" notify.txt '^0002 renamed.txt$'

mkdir share/watched/newsub
touch share/watched/newsub/deep.txt
expect_line "smbclient notify: 0001 (ADDED) newsub, made by mkdir" notify.txt '^0001 newsub$'
expect_line "smbclient notify (tree): 0001 (ADDED) newsub\\deep.txt, made right after its directory" \
    notify.txt '^0001 newsub\\deep.txt$'

kill "$NPID" 2>/dev/null || true
wait "$NPID" 2>/dev/null || true
NPID=

# ---- impacket ----
if /usr/bin/python3 -c 'import impacket.smbconnection' 2>/dev/null; then
    n=$(pending)
    # Two CHANGE_NOTIFY requests on watched (FILE_NOTIFY_CHANGE_FILE_NAME),
    # one after the other; prints "entry ACTION NAME" for each change and
    # "status 0x..." for each response.
    timeout 120 /usr/bin/python3 - "$PORT" >impacket.txt 2>&1 <<'PY' &
import sys
from impacket.smbconnection import SMBConnection
from impacket.smb3structs import (SMB2_CHANGE_NOTIFY, SMB2ChangeNotify, SMB2ChangeNotify_Response,
                                  FILE_NOTIFY_INFORMATION, FILE_LIST_DIRECTORY, FILE_READ_ATTRIBUTES,
                                  FILE_SHARE_READ, FILE_SHARE_WRITE, FILE_SHARE_DELETE,
                                  FILE_DIRECTORY_FILE, FILE_OPEN, FILE_NOTIFY_CHANGE_FILE_NAME)

c = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=int(sys.argv[1]), timeout=30)
c.login('alice', 'secret')
s3 = c.getSMBServer()
tid = s3.connectTree('share')
fid = s3.create(tid, 'watched', FILE_LIST_DIRECTORY | FILE_READ_ATTRIBUTES,
                FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, FILE_DIRECTORY_FILE,
                FILE_OPEN, 0)
for _ in range(2):
    pkt = s3.SMB_PACKET()
    pkt['Command'] = SMB2_CHANGE_NOTIFY
    pkt['TreeID'] = tid
    req = SMB2ChangeNotify()
    req['OutputBufferLength'] = 4096
    req['FileID'] = fid
    req['CompletionFilter'] = FILE_NOTIFY_CHANGE_FILE_NAME
    pkt['Data'] = req
    ans = s3.recvSMB(s3.sendSMB(pkt))  # recvSMB skips the interim response
    print('status 0x%08x' % ans['Status'], flush=True)
    if ans['Status'] != 0:
        break
    rsp = SMB2ChangeNotify_Response(ans['Data'])
    buf = rsp['Buffer']
    while buf:
        e = FILE_NOTIFY_INFORMATION(buf)
        print('entry %d %s' % (e['Action'], e['FileName'].decode('utf-16-le')), flush=True)
        if e['NextEntryOffset'] == 0:
            break
        buf = buf[e['NextEntryOffset']:]
s3.close(tid, fid)
c.logoff()
print('done', flush=True)
PY
    IPID=$!
    if wait_pending "$n"; then
        touch share/watched/imp_local.txt
        expect_line "impacket CHANGE_NOTIFY: ADDED imp_local.txt, made by touch" impacket.txt \
            '^entry 1 imp_local.txt$'
    else
        bad "impacket's first CHANGE_NOTIFY never went async"
    fi
    if wait_pending "$((n + 1))"; then
        smb -c 'put up.txt watched\imp_client.txt' >put2.txt 2>&1 || true
        expect_line "impacket CHANGE_NOTIFY: ADDED imp_client.txt, put by smbclient" impacket.txt \
            '^entry 1 imp_client.txt$'
    else
        bad "impacket's second CHANGE_NOTIFY never went async"
    fi
    wait "$IPID" 2>/dev/null || true
    IPID=
    c=$(grep -c '^entry' impacket.txt || true)
    if [ "$c" -eq 2 ] && grep -q '^done$' impacket.txt; then
        ok "impacket: two responses, one change each, handle closed"
    else
        bad "impacket: $c change(s) reported, or no clean end"
    fi
else
    echo "impacket (python3-impacket) not installed: its checks skipped"
fi

if kill -0 "$PID"; then ok "signetd still running"; else bad "signetd died"; fi
if grep -qiE "asan|runtime error|sanitizer" stderr.txt; then
    bad "sanitizer report in signetd's log"
else
    ok "no sanitizer report in signetd's log"
fi
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
if [ "$rc" -eq 0 ]; then ok "SIGTERM: exit 0"; else bad "SIGTERM: exit $rc"; fi
if grep -qiE "leak|asan|runtime error|sanitizer" stderr.txt; then
    bad "sanitizer report in signetd's log at exit"
else
    ok "no sanitizer report at exit"
fi
if [ "$FAILS" -ne 0 ]; then
    echo "--- smbclient notify output"; cat notify.txt
    [ -f impacket.txt ] && { echo "--- impacket output"; cat impacket.txt; }
    echo "--- signetd stderr (tail)"; tail -n 40 stderr.txt
    echo "$FAILS check(s) failed"
    exit 1
fi
echo "all checks passed"
