#!/bin/sh
# signetd's file operations against Samba's smbclient and our own client
# (tests/interop, see peers.md).
#
#   tests/interop/server_files.sh [BUILD_DIR]
#
# Starts signetd with a configuration written here (a read-write share, a
# read-only share, a user database) on 127.0.0.1:<free port in 4610-4649> and
# checks, with signing required by both sides:
#  - every dialect SMB2_02..SMB3_11: ls, put, get of a 64 MiB file (SHA-256
#    compared), mkdir, rename, rm, rmdir, each verified on the share's disk;
#  - SMB3_11 once per forced signing algorithm (the server's log names it);
#  - the read-only share: get works, put / mkdir / rm / rename are
#    NT_STATUS_ACCESS_DENIED and change nothing;
#  - paths: "..", and a symlink to outside the share, do not leave the share;
#  - IPC$ pipes (srvsvc) fail cleanly and the connection keeps working;
#  - two clients at once: a listing completes while a 64 MiB get runs;
#  - clients killed in the middle of 64 MiB transfers: the server and the
#    other transfers carry on (no SIGPIPE);
#  - signet (our client): ls, put, get, mv, rm, mkdir, rmdir.
# Every process started here is stopped by its pid.
set -eu

BUILD=${1:-build}
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
SIGNET=$(realpath "$BUILD/tools/signet" 2>/dev/null || echo "$BUILD/tools/signet")
[ -x "$SIGNETD" ] || { echo "no $SIGNETD (build first)"; exit 2; }
command -v smbclient >/dev/null || { echo "SKIP: smbclient not installed"; exit 77; }

. "$(dirname "$0")/server_lib.sh"
srv_lib_init 4610 4649 BG PID

cd "$WORK"
mkdir rw ro outside
echo "secret outside the share" >outside/secret.txt
ln -s "$WORK/outside/secret.txt" rw/escape.txt
echo "read-only content" >ro/keep.txt
head -c 67108864 /dev/urandom >big.bin
SUM=$(sha256sum <big.bin | cut -d' ' -f1)
srv_lib_add_user alice secret
cat >signet.conf <<CONF
[global]
  listen = 127.0.0.1:$PORT
  server signing = mandatory
  user database = $WORK/users
  invalid authentication delay = 0
[rw]
  path = $WORK/rw
  read only = no
  valid users = alice
[ro]
  path = $WORK/ro
  read only = yes
CONF
srv_lib_start_signetd signet.conf
ok "signetd (pid $PID) on 127.0.0.1:$PORT with shares rw and ro"

smb() { # SHARE PROTOCOL COMMANDS [extra smbclient options]
    share=$1 m=$2 cmds=$3
    shift 3
    timeout 120 smbclient "//127.0.0.1/$share" -p "$PORT" -U "alice%secret" -m "$m" \
        --client-protection=sign "$@" -c "$cmds" 2>&1 || true
}

sha_of() { sha256sum <"$1" 2>/dev/null | cut -d' ' -f1; }

# ---- every dialect ----
for m in SMB2_02 SMB2_10 SMB3_00 SMB3_02 SMB3_11; do
    rm -f got.bin
    out=$(smb rw "$m" "put big.bin up_$m.bin; get up_$m.bin got.bin; ls")
    if [ "$(sha_of "rw/up_$m.bin")" = "$SUM" ] && [ "$(sha_of got.bin)" = "$SUM" ] &&
        echo "$out" | grep -q "up_$m.bin"; then
        ok "$m: put + get 64 MiB, SHA-256 equal on the share and back; ls lists it"
    else
        bad "$m: put/get/ls: $(echo "$out" | tail -n 3)"
    fi
    out=$(smb rw "$m" "mkdir d_$m; rename up_$m.bin d_$m\\moved.bin")
    if [ -f "rw/d_$m/moved.bin" ] && [ ! -e "rw/up_$m.bin" ]; then
        ok "$m: mkdir + rename into it"
    else
        bad "$m: mkdir/rename: $out"
    fi
    out=$(smb rw "$m" "rm d_$m\\moved.bin; rmdir d_$m")
    if [ ! -e "rw/d_$m" ]; then ok "$m: rm + rmdir"; else bad "$m: rm/rmdir: $out"; fi
done

# ---- SMB 3.1.1, one forced signing algorithm at a time ----
for alg in AES-128-GMAC AES-128-CMAC HMAC-SHA256; do
    rm -f got.bin
    out=$(smb rw SMB3_11 "put big.bin alg.bin; get alg.bin got.bin; rm alg.bin" \
        --option="client smb3 signing algorithms=$alg")
    if [ "$(sha_of got.bin)" = "$SUM" ] && [ ! -e rw/alg.bin ] &&
        grep -q "signing $alg (required)" stderr.txt; then
        ok "SMB3_11 signed with $alg: 64 MiB round trip, SHA-256 equal"
    else
        bad "SMB3_11 with $alg: $(echo "$out" | tail -n 3)"
    fi
done

# ---- the read-only share ----
rm -f keep.got
out=$(smb ro SMB3_11 "get keep.txt keep.got")
cmp -s keep.got ro/keep.txt && ok "ro: get works" || bad "ro: get: $out"
for c in "put big.bin new.bin" "mkdir newdir" "rm keep.txt" "rename keep.txt k2.txt"; do
    out=$(smb ro SMB3_11 "$c")
    if echo "$out" | grep -q NT_STATUS_ACCESS_DENIED && [ -f ro/keep.txt ] &&
        [ ! -e ro/new.bin ] && [ ! -e ro/newdir ] && [ ! -e ro/k2.txt ]; then
        ok "ro: '$c' -> NT_STATUS_ACCESS_DENIED, nothing changed"
    else
        bad "ro: '$c': $out"
    fi
done

# ---- paths stay beneath the share ----
rm -f esc.got dd.got
out=$(smb rw SMB3_11 "get escape.txt esc.got")
[ ! -s esc.got ] && echo "$out" | grep -q "NT_STATUS_" && ok "symlink out of the share refused" ||
    bad "symlink escape: $out"
out=$(smb rw SMB3_11 "get ..\\outside\\secret.txt dd.got")
[ ! -s dd.got ] && ok "..\\ out of the share refused" || bad "dot-dot escape: $out"

# ---- IPC$ ----
out=$(smb rw SMB3_11 "tcon IPC\$; ls" 2>&1)
echo "$out" | grep -q "tcon to IPC\$ successful" && ok "IPC\$ tree connect; no crash on pipes" ||
    bad "IPC\$: $out"
out=$(timeout 30 smbclient -L 127.0.0.1 -p "$PORT" -U "alice%secret" 2>&1 || true)
kill -0 "$PID" && ok "smbclient -L (srvsvc not served) leaves signetd running" ||
    bad "signetd died on smbclient -L: $out"

# ---- two clients at once ----
cp big.bin rw/shared.bin
rm -f bg.got
smb rw SMB3_11 "get shared.bin bg.got" >bg.txt &
BG=$!
sleep 0.2
out=$(smb rw SMB3_11 "ls")
echo "$out" | grep -q shared.bin && ok "a second client lists while a 64 MiB get runs" ||
    bad "concurrent ls: $out"
wait "$BG" || true
BG=
[ "$(sha_of bg.got)" = "$SUM" ] && ok "the concurrent get completed intact" ||
    bad "concurrent get: $(cat bg.txt)"

# ---- clients killed mid-transfer take down neither signetd nor the others ----
rm -f k*.got
smb rw SMB3_11 "get shared.bin k1.got" >k1.txt &
K1=$!
timeout 60 smbclient "//127.0.0.1/rw" -p "$PORT" -U "alice%secret" -m SMB3_11 \
    --client-protection=sign -c "get shared.bin k2.got" >/dev/null 2>&1 &
K2=$!
timeout 60 smbclient "//127.0.0.1/rw" -p "$PORT" -U "alice%secret" -m SMB3_11 \
    --client-protection=sign -c "put big.bin k3.bin" >/dev/null 2>&1 &
K3=$!
sleep 0.15
kill -9 "$K2" "$K3" 2>/dev/null || true
wait "$K2" 2>/dev/null || true
wait "$K3" 2>/dev/null || true
wait "$K1" || true
if kill -0 "$PID" && [ "$(sha_of k1.got)" = "$SUM" ]; then
    ok "two clients killed mid-transfer: signetd and a third client's 64 MiB get unharmed"
else
    bad "killed clients: signetd alive? $(kill -0 "$PID" && echo yes || echo no); $(cat k1.txt)"
fi
rm -f rw/shared.bin rw/k3.bin

# ---- signet, our client ----
if [ -x "$SIGNET" ]; then
    R="//127.0.0.1:$PORT/rw"
    S() { timeout 120 "$SIGNET" -U "alice%secret" "$@" 2>&1; }
    rm -f sg.got
    if S put "$R/sg.bin" big.bin >/dev/null && S mkdir "$R/sgd" >/dev/null &&
        S mv "$R/sg.bin" sgd/sg2.bin >/dev/null && S get "$R/sgd/sg2.bin" sg.got >/dev/null &&
        [ "$(sha_of sg.got)" = "$SUM" ] && S ls "$R/sgd" | grep -q sg2.bin; then
        ok "signet: put, mkdir, mv, ls, get (64 MiB, SHA-256 equal)"
    else
        bad "signet put/mkdir/mv/ls/get"
    fi
    if S rm "$R/sgd/sg2.bin" >/dev/null && S rmdir "$R/sgd" >/dev/null && [ ! -e rw/sgd ]; then
        ok "signet: rm, rmdir"
    else
        bad "signet rm/rmdir"
    fi
    out=$(S put "//127.0.0.1:$PORT/ro/x.bin" big.bin || true)
    echo "$out" | grep -q ACCESS_DENIED && [ ! -e ro/x.bin ] &&
        ok "signet: put on the read-only share -> STATUS_ACCESS_DENIED" || bad "signet ro put: $out"
else
    echo "skip - no $SIGNET"
fi

kill -0 "$PID" && ok "signetd still running" || bad "signetd died"
grep -qiE "asan|runtime error|sanitizer" stderr.txt && bad "sanitizer report in signetd's log" ||
    ok "no sanitizer report in signetd's log"
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
[ "$rc" -eq 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit $rc"

if [ "$FAILS" -ne 0 ]; then
    echo "--- signetd stderr (tail)"
    tail -n 40 stderr.txt
    echo "$FAILS check(s) failed"
    exit 1
fi
echo "all checks passed"
