#!/bin/sh
# signetd against Samba's smbclient and nmap (tests/interop, see peers.md).
#
#   tests/interop/server_smbclient.sh [BUILD_DIR]
#
# Starts signetd's embedded demo on 127.0.0.1:<free port in 4600-4699> and
# checks, for every dialect SMB2_02..SMB3_11 with signing required by both
# sides: NEGOTIATE + SESSION_SETUP + TREE_CONNECT succeed (smbclient's `tcon`),
# `ls` of the demo share lists a file put there, `ls` on IPC$ (no pipes are
# served) fails cleanly with NT_STATUS_OBJECT_NAME_NOT_FOUND (file operations
# in depth: server_files.sh); a wrong password is NT_STATUS_LOGON_FAILURE;
# nmap's smb2-security-mode reports "Message signing enabled and required";
# SIGHUP keeps serving and SIGTERM exits 0. Every process started here is
# stopped by its pid.
set -eu

BUILD=${1:-build}
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
[ -x "$SIGNETD" ] || { echo "no $SIGNETD (build first)"; exit 2; }
command -v smbclient >/dev/null || { echo "SKIP: smbclient not installed"; exit 77; }

. "$(dirname "$0")/server_lib.sh"
srv_lib_init 4600 4699 PID


cd "$WORK"
"$SIGNETD" --listen "127.0.0.1:$PORT" >stdout.txt 2>stderr.txt &
PID=$!
for _ in $(seq 50); do grep -q "ready:" stderr.txt 2>/dev/null && break; sleep 0.1; done
grep -q "ready:" stderr.txt || { cat stderr.txt; echo "signetd did not start"; exit 1; }
PASS=$(sed -n 's/^signetd demo: user demo, password \(.*\)$/\1/p' stdout.txt)
[ -n "$PASS" ] || { bad "demo password printed"; exit 1; }
ok "signetd (pid $PID) on 127.0.0.1:$PORT, demo password printed"

SHARE_DIR=$(sed -n 's/^signetd demo: share .* -> \(.*\)$/\1/p' stdout.txt)
[ -d "$SHARE_DIR" ] && echo "listed" >"$SHARE_DIR/signet_ls_probe.txt" ||
    bad "demo share directory printed"
for m in SMB2_02 SMB2_10 SMB3_00 SMB3_02 SMB3_11; do
    out=$(timeout 30 smbclient "//127.0.0.1/demo" -p "$PORT" -U "demo%$PASS" -m "$m" \
        --client-protection=sign -c 'ls; tcon IPC$; ls' 2>&1 || true)
    if echo "$out" | grep -q "signet_ls_probe.txt" &&
        echo "$out" | grep -q "tcon to IPC\$ successful" &&
        echo "$out" | grep -q "NT_STATUS_OBJECT_NAME_NOT_FOUND" &&
        ! echo "$out" | grep -Eq "LOGON_FAILURE|SIGNATURE|ACCESS_DENIED|NOT_IMPLEMENTED"; then
        ok "$m: negotiate, signed session setup, tree connect demo; ls lists the share; IPC\$ ls -> NT_STATUS_OBJECT_NAME_NOT_FOUND"
    else
        bad "$m: $out"
    fi
done
rm -f "$SHARE_DIR/signet_ls_probe.txt"

for alg in AES-128-GMAC AES-128-CMAC HMAC-SHA256; do
    out=$(timeout 30 smbclient "//127.0.0.1/demo" -p "$PORT" -U "demo%$PASS" -m SMB3_11 \
        --client-protection=sign --option="client smb3 signing algorithms=$alg" \
        -c 'tcon IPC$' 2>&1 || true)
    if echo "$out" | grep -q "tcon to IPC\$ successful"; then
        ok "SMB3_11 with $alg only"
    else
        bad "SMB3_11 with $alg only: $out"
    fi
done
grep -q "signing HMAC-SHA256 (required)" stderr.txt && ok "server logged HMAC-SHA256 on 3.1.1" ||
    bad "server did not log the HMAC-SHA256 session"

out=$(timeout 30 smbclient "//127.0.0.1/demo" -p "$PORT" -U "demo%wrong" -m SMB3_11 -c 'ls' 2>&1 || true)
echo "$out" | grep -q NT_STATUS_LOGON_FAILURE && ok "wrong password -> NT_STATUS_LOGON_FAILURE" ||
    bad "wrong password: $out"

# A client that does not ask for signing still gets a signed session: the
# server's policy decides (server signing = mandatory).
out=$(timeout 30 smbclient "//127.0.0.1/demo" -p "$PORT" -U "demo%$PASS" -m SMB3_11 \
    --client-protection=off -c 'tcon IPC$' 2>&1 || true)
echo "$out" | grep -q "tcon to IPC\$ successful" && ok "client-protection=off still served (signed)" ||
    bad "client-protection=off: $out"

if command -v nmap >/dev/null; then
    out=$(timeout 60 nmap -p "$PORT" --script smb2-security-mode,smb-protocols \
        --script-args "smbport=$PORT" 127.0.0.1 2>&1 || true)
    echo "$out" | grep -q "Message signing enabled and required" &&
        ok "nmap: $(echo "$out" | grep -m1 'Message signing' | sed 's/^[|_ ]*//')" ||
        bad "nmap smb2-security-mode: $out"
    for d in 202 210 300 302 311; do
        echo "$out" | grep -Eq "^\|[_ ]+$d\$" || bad "nmap smb-protocols does not list $d"
    done
else
    echo "skip - nmap not installed"
fi

# impacket: an independent implementation; it starts with the SMB1
# multi-protocol NEGOTIATE, which signetd answers in SMB2.
if /usr/bin/python3 -c 'import impacket' 2>/dev/null; then
    out=$(timeout 60 /usr/bin/python3 - "$PORT" "$PASS" <<'PY' 2>&1 || true
import sys
from impacket.smbconnection import SMBConnection
c = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=int(sys.argv[1]))
c.login('demo', sys.argv[2])
print('signing required', c.isSigningRequired())
c.connectTree('demo')
names = [f.get_longname() for f in c.listPath('demo', '*')]
print('listPath ok', '.' in names and '..' in names)
c.logoff()
print('logoff ok')
PY
)
    echo "$out" | grep -q "signing required True" && echo "$out" | grep -q "logoff ok" &&
        echo "$out" | grep -q "listPath ok True" &&
        grep -q "SMB1 NEGOTIATE answered with SMB2" stderr.txt &&
        ok "impacket: SMB1 negotiate -> SMB2, login, signing required, tree connect, listPath, logoff" ||
        bad "impacket: $out"
else
    echo "skip - impacket not installed"
fi

kill -HUP "$PID"
sleep 0.3
out=$(timeout 30 smbclient "//127.0.0.1/demo" -p "$PORT" -U "demo%$PASS" -c 'tcon IPC$' 2>&1 || true)
echo "$out" | grep -q "tcon to IPC\$ successful" && kill -0 "$PID" && ok "SIGHUP: still serving" ||
    bad "after SIGHUP: $out"

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
[ "$rc" -eq 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit $rc"
grep -Eq '^signetd\[[0-9]+\]: (notice|info|warning|error): ' stderr.txt &&
    ok "log lines are 'signetd[pid]: level: message'" || bad "log format"

if [ "$FAILS" -ne 0 ]; then
    echo "--- signetd stderr"; cat stderr.txt
    echo "$FAILS check(s) failed"
    exit 1
fi
echo "all checks passed"
