#!/bin/sh
# signetd with a configuration file (tests/interop, see peers.md):
# `server signing = auto` then, after SIGHUP, `mandatory`; a user database;
# nmap's view of each; tshark verifying the signatures signetd produced.
#
#   tests/interop/server_config.sh [BUILD_DIR]
#
# Every process started here is stopped by its pid.
set -eu

BUILD=${1:-build}
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
[ -x "$SIGNETD" ] || { echo "no $SIGNETD (build first)"; exit 2; }
command -v smbclient >/dev/null || { echo "SKIP: smbclient not installed"; exit 77; }

. "$(dirname "$0")/server_lib.sh"
srv_lib_init 4650 4699 PID TPID


cd "$WORK"
mkdir share
srv_lib_add_user alice secret
write_conf() {
    cat >signet.conf <<CONF
[global]
  listen = 127.0.0.1:$PORT
  server signing = $1
  user database = $WORK/users
  invalid authentication delay = 0
[share]
  path = $WORK/share
  read only = no
  valid users = alice
CONF
}
write_conf auto
srv_lib_start_signetd signet.conf
ok "signetd --config (server signing = auto) on 127.0.0.1:$PORT"

nmap_mode() {
    timeout 60 nmap -p "$PORT" --script smb2-security-mode --script-args "smbport=$PORT" \
        127.0.0.1 2>&1 | grep -m1 'Message signing' | sed 's/^[|_ ]*//'
}
if command -v nmap >/dev/null; then
    m=$(nmap_mode)
    [ "$m" = "Message signing enabled but not required" ] && ok "auto: nmap: $m" || bad "auto: nmap: $m"
fi

out=$(timeout 30 smbclient "//127.0.0.1/share" -p "$PORT" -U "alice%secret" -m SMB3_11 \
    --client-protection=off -c 'tcon IPC$' 2>&1 || true)
echo "$out" | grep -q "tcon to IPC\$ successful" && ok "auto: unsigned client served" ||
    bad "auto, unsigned client: $out"
# no "(required)" after the signing algorithm (nor after the cipher)
grep -qE "logged on 'alice': SMB 3.1.1, signing AES-128-GMAC, encryption [^(]*\$" stderr.txt &&
    ok "auto: session not signing-required when the client does not require it" ||
    bad "auto: session log: $(grep "logged on" stderr.txt | tail -1)"

# tshark checks the signatures of a signed 3.0 (AES-CMAC) and 2.1 (HMAC) session.
if command -v tshark >/dev/null; then
    tshark -i lo -f "tcp port $PORT" -w cap.pcap >/dev/null 2>tshark.err &
    TPID=$!
    sleep 2
    for m in SMB3_00 SMB2_10; do
        timeout 30 smbclient "//127.0.0.1/share" -p "$PORT" -U "alice%secret" -m $m \
            --client-protection=sign -c 'tcon IPC$' >/dev/null 2>&1 || true
    done
    sleep 1
    kill "$TPID"
    wait "$TPID" 2>/dev/null || true
    TPID=
    opts="-d tcp.port==$PORT,nbss -o ntlmssp.nt_password:secret -o smb2.verify_signatures:TRUE"
    # shellcheck disable=SC2086
    badsig=$(tshark -r cap.pcap $opts -Y smb2.bad_signature 2>/dev/null | wc -l)
    # shellcheck disable=SC2086
    goodsig=$(tshark -r cap.pcap $opts -Y 'smb2.good_signature && smb2.flags.response == 1' \
        2>/dev/null | wc -l)
    [ "$badsig" -eq 0 ] && [ "$goodsig" -gt 0 ] &&
        ok "tshark: $goodsig signed responses verify, 0 bad signatures" ||
        bad "tshark: good=$goodsig bad=$badsig"
else
    echo "skip - tshark not installed"
fi

write_conf mandatory
kill -HUP "$PID"
for _ in $(seq 30); do grep -q "configuration reloaded" stderr.txt && break; sleep 0.1; done
grep -q "configuration reloaded" stderr.txt && ok "SIGHUP: reloaded" || bad "SIGHUP: no reload logged"
if command -v nmap >/dev/null; then
    m=$(nmap_mode)
    [ "$m" = "Message signing enabled and required" ] && ok "mandatory: nmap: $m" ||
        bad "mandatory: nmap: $m"
fi
out=$(timeout 30 smbclient "//127.0.0.1/share" -p "$PORT" -U "alice%secret" -m SMB3_11 \
    --client-protection=off -c 'tcon IPC$' 2>&1 || true)
echo "$out" | grep -q "tcon to IPC\$ successful" &&
    grep -q "logged on 'alice': SMB 3.1.1, signing AES-128-GMAC (required)" stderr.txt &&
    ok "mandatory: the same client now gets a signing-required session" ||
    bad "mandatory: $out"
out=$(timeout 30 smbclient "//127.0.0.1/share" -p "$PORT" -U "bob%secret" -m SMB3_11 \
    -c 'tcon IPC$' 2>&1 || true)
echo "$out" | grep -q NT_STATUS_LOGON_FAILURE && ok "unknown user -> NT_STATUS_LOGON_FAILURE" ||
    bad "unknown user: $out"

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
[ "$rc" -eq 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit $rc"
if [ "$FAILS" -ne 0 ]; then
    echo "--- signetd stderr"; cat stderr.txt
    echo "$FAILS check(s) failed"
    exit 1
fi
echo "all checks passed"
