#!/bin/sh
# signetd's SMB3 encryption against Samba's smbclient (issue 11, server side).
#
#   tests/interop/server_encrypt.sh [BUILD_DIR]
#
# Starts signetd on 127.0.0.1:<free port in 4990-4999> with a share [rw]
# (server smb encrypt left at if_required) and a share [secret] with
# `server smb encrypt = required`, and checks:
#   - smbclient --client-protection=encrypt at SMB3_00, SMB3_02 and SMB3_11,
#     and at SMB3_11 once per cipher (client smb3 encryption algorithms):
#     put a file, get it back, SHA-256 equal, ls lists it; signetd logged the
#     session with the cipher expected (AES-128-CCM on 3.0.x);
#   - [secret] refuses a client that signs but does not encrypt
#     (NT_STATUS_ACCESS_DENIED, and signetd logs why) and serves one that
#     encrypts;
#   - on the wire (tshark capture, when tshark is installed): a file of a
#     known text put and got over an encrypted session does not appear in
#     the capture, while the same over a signed session does (the control
#     that shows the check can fail).
# Every process started here is stopped by its pid.
set -eu

BUILD=${1:-build}
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
[ -x "$SIGNETD" ] || { echo "no $SIGNETD (build first)"; exit 2; }
command -v smbclient >/dev/null || { echo "SKIP: smbclient not installed"; exit 77; }

. "$(dirname "$0")/server_lib.sh"
srv_lib_init 4990 4999 PID TPID

cd "$WORK"
mkdir rw secret
head -c 3145728 /dev/urandom >data.bin
SUM=$(sha256sum <data.bin | cut -d' ' -f1)
srv_lib_add_user alice secret
cat >signet.conf <<CONF
[global]
  listen = 127.0.0.1:$PORT
  server signing = mandatory
  user database = $WORK/users
  invalid authentication delay = 0
  log level = info
[rw]
  path = $WORK/rw
  read only = no
[secret]
  path = $WORK/secret
  read only = no
  server smb encrypt = required
CONF
srv_lib_start_signetd signet.conf
ok "signetd (pid $PID) on 127.0.0.1:$PORT with shares rw and secret (encryption required)"

smb() { # SHARE PROTOCOL PROTECTION COMMANDS [extra smbclient options]
    share=$1 m=$2 prot=$3 cmds=$4
    shift 4
    timeout 120 smbclient "//127.0.0.1/$share" -p "$PORT" -U "alice%secret" -m "$m" \
        --client-protection="$prot" "$@" -c "$cmds" 2>&1 || true
}

sha_of() { sha256sum <"$1" 2>/dev/null | cut -d' ' -f1; }

logged() { grep -c "logged on 'alice'.*cipher $1" stderr.txt || true; }

# put, get, compare, ls over an encrypted session; $3 is the cipher signetd
# must log for the session.
roundtrip() { # NAME PROTOCOL CIPHER [extra smbclient options]
    name=$1 m=$2 cipher=$3
    shift 3
    rm -f got.bin
    before=$(logged "$cipher")
    out=$(smb rw "$m" encrypt "put data.bin up_$name.bin; get up_$name.bin got.bin; ls" "$@")
    after=$(logged "$cipher")
    if [ "$(sha_of got.bin)" = "$SUM" ] && echo "$out" | grep -q "up_$name.bin" &&
        [ "$after" -gt "$before" ] &&
        ! echo "$out" | grep -Eq "NT_STATUS|doesn't support|failed"; then
        ok "$name: encrypted ($cipher) put + get 3 MiB, sha256 equal ($SUM), ls lists it"
    else
        bad "$name: sha256 $(sha_of got.bin) (want $SUM), sessions with $cipher $before -> $after: $out"
    fi
}

# ---- every dialect that encrypts ----
roundtrip SMB3_00 SMB3_00 AES-128-CCM
roundtrip SMB3_02 SMB3_02 AES-128-CCM
roundtrip SMB3_11 SMB3_11 AES-128-GCM # the first of Samba's order and ours

# ---- every cipher on 3.1.1 ----
for c in AES-128-CCM AES-128-GCM AES-256-CCM AES-256-GCM; do
    roundtrip "SMB3_11-$c" SMB3_11 "$c" --option="client smb3 encryption algorithms=$c"
done

# ---- a share that requires encryption ----
echo "only over encryption" >secret_src.txt
out=$(smb secret SMB3_11 sign "ls")
if echo "$out" | grep -q "NT_STATUS_ACCESS_DENIED" &&
    grep -q "tree connect to 'secret' by 'alice' refused: the share requires encryption" stderr.txt; then
    ok "secret: a signed, unencrypted client is refused NT_STATUS_ACCESS_DENIED, and signetd logged why"
else
    bad "secret without encryption: $out"
fi
rm -f got_secret.txt
out=$(smb secret SMB3_11 encrypt "put secret_src.txt s.txt; get s.txt got_secret.txt; ls")
if cmp -s secret_src.txt got_secret.txt && echo "$out" | grep -q "s.txt"; then
    ok "secret: an encrypting client is served (put, get equal, ls)"
else
    bad "secret with encryption: $out"
fi
out=$(smb secret SMB3_02 encrypt "ls")
if echo "$out" | grep -q "s.txt"; then
    ok "secret: served at SMB3_02 (AES-128-CCM) too"
else
    bad "secret at SMB3_02 with encryption: $out"
fi

# ---- on the wire ----
if command -v tshark >/dev/null; then
    yes "SIGNET-PLAINTEXT-MARKER-7f3c9a" | head -c 262144 >marker.txt
    capture() { # NAME PROTECTION
        rm -f "$1.pcap"
        tshark -i lo -f "tcp port $PORT" -w "$1.pcap" >/dev/null 2>tshark_"$1".txt &
        TPID=$!
        for _ in $(seq 50); do grep -q "Capturing on" tshark_"$1".txt 2>/dev/null && break; sleep 0.1; done
        smb rw SMB3_11 "$2" "put marker.txt m_$1.txt; get m_$1.txt got_$1.txt" >/dev/null
        sleep 1
        kill "$TPID"
        wait "$TPID" 2>/dev/null || true
        TPID=
        grep -ac "SIGNET-PLAINTEXT-MARKER" "$1.pcap" || true
    }
    plain=$(capture signed sign)
    sealed=$(capture sealed encrypt)
    if [ "$plain" -gt 0 ] && [ "$sealed" -eq 0 ] && cmp -s marker.txt got_sealed.txt; then
        ok "wire: the file's text is in the capture of a signed session ($plain lines) and not in the encrypted one (0)"
    else
        bad "wire: marker lines signed=$plain encrypted=$sealed"
    fi
else
    echo "# tshark not installed: wire check skipped"
fi

if grep -Eq "ERROR|AddressSanitizer|runtime error" stderr.txt; then
    bad "signetd logged errors: $(grep -E 'ERROR|AddressSanitizer|runtime error' stderr.txt | head -3)"
else
    ok "signetd logged no errors"
fi
kill "$PID"
if wait "$PID" 2>/dev/null; then ok "SIGTERM: signetd exited 0"; else bad "signetd exit status on SIGTERM"; fi
PID=
[ "$FAILS" -eq 0 ]
