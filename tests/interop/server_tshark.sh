#!/bin/sh
# tshark, an independent verifier, checks the signatures of signed smbclient
# sessions against signetd (tests/interop, see peers.md): SMB2_10
# (HMAC-SHA256), SMB3_02 (AES-CMAC) and SMB3_11 forced to AES-128-CMAC, each
# doing put, get and ls. Each capture must hold no smb2.bad_signature and at
# least one smb2.good_signature (requests and responses both counted).
#
#   tests/interop/server_tshark.sh [BUILD_DIR]
#
# signetd listens on 127.0.0.1:<free port in 4660-4699>; every process started
# here is stopped by its pid.
set -eu

BUILD=${1:-build}
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
[ -x "$SIGNETD" ] || { echo "no $SIGNETD (build first)"; exit 2; }
command -v smbclient >/dev/null || { echo "SKIP: smbclient not installed"; exit 77; }
command -v tshark >/dev/null || { echo "SKIP: tshark not installed"; exit 77; }

# shellcheck disable=SC1091 # sourced helper, checked on its own
. "$(dirname "$0")/server_lib.sh"
srv_lib_init 4660 4699 PID TPID

cd "$WORK"
mkdir share
# 100 KiB: every SMB2 message stays below 128 KiB. tshark, told to decode a
# port other than 445 as nbss, reads the NetBIOS length as 17 bits, so a
# larger WRITE or READ is cut short and reported as a bad signature (seen
# with 200 KiB: a 204,912-byte message parsed as 73,840 bytes).
head -c 102400 /dev/urandom >up.bin
srv_lib_add_user alice secret
cat >signet.conf <<CONF
[global]
  listen = 127.0.0.1:$PORT
  server signing = mandatory
  user database = $WORK/users
  invalid authentication delay = 0
[share]
  path = $WORK/share
  read only = no
  valid users = alice
CONF
srv_lib_start_signetd signet.conf
ok "signetd (pid $PID) on 127.0.0.1:$PORT, signing mandatory"

# capture NAME PROTOCOL [smbclient options]: one smbclient session doing put,
# get and ls, captured alone in NAME.pcap; then tshark counts signatures.
capture() {
    name=$1 m=$2
    shift 2
    rm -f "$name.pcap" got.bin
    tshark -i lo -B 64 -f "tcp port $PORT" -w "$name.pcap" >/dev/null 2>"$name.tshark.err" &
    TPID=$!
    # wait until dumpcap reports that it is capturing
    for _ in $(seq 100); do grep -q "Capturing on" "$name.tshark.err" 2>/dev/null && break; sleep 0.1; done
    sleep 0.5
    out=$(timeout 60 smbclient "//127.0.0.1/share" -p "$PORT" -U "alice%secret" -m "$m" \
        --client-protection=sign "$@" -c "put up.bin $name.bin; get $name.bin got.bin; ls" 2>&1 || true)
    sleep 1
    kill "$TPID"
    wait "$TPID" 2>/dev/null || true
    TPID=
    if ! cmp -s got.bin up.bin || ! cmp -s "share/$name.bin" up.bin || ! echo "$out" | grep -q "$name.bin"; then
        bad "$name: smbclient put/get/ls: $(echo "$out" | tail -n 3)"
        return
    fi
    set -- -r "$name.pcap" -d "tcp.port==$PORT,nbss" -o ntlmssp.nt_password:secret \
        -o smb2.verify_signatures:TRUE
    badsig=$(tshark "$@" -Y smb2.bad_signature 2>/dev/null | wc -l)
    good=$(tshark "$@" -Y smb2.good_signature 2>/dev/null | wc -l)
    goodresp=$(tshark "$@" -Y 'smb2.good_signature && smb2.flags.response == 1' 2>/dev/null | wc -l)
    signed=$(tshark "$@" -Y 'smb2.flags.signature == 1' 2>/dev/null | wc -l)
    lost=$(tshark "$@" -Y 'tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment' 2>/dev/null | wc -l)
    if [ "$badsig" -eq 0 ] && [ "$good" -gt 0 ] && [ "$goodresp" -gt 0 ]; then
        ok "$name: put/get/ls; tshark: $good good signatures ($goodresp in responses), $badsig bad, of $signed signed packets"
    else
        bad "$name: tshark: good=$good (responses $goodresp) bad=$badsig signed=$signed; segments the capture lost: $lost"
    fi
}

capture smb2_10_hmac SMB2_10
capture smb3_02_cmac SMB3_02
capture smb3_11_cmac SMB3_11 --option='client smb3 signing algorithms=AES-128-CMAC'
if grep -q "signing AES-128-CMAC (required)" stderr.txt; then
    ok "SMB3_11: signetd logged the session as signing AES-128-CMAC (required)"
else
    bad "SMB3_11: no AES-128-CMAC session in the log: $(grep "logged on" stderr.txt | tail -1)"
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
if [ "$FAILS" -ne 0 ]; then
    echo "--- signetd stderr (tail)"; tail -n 40 stderr.txt
    echo "$FAILS check(s) failed"
    exit 1
fi
echo "all checks passed"
