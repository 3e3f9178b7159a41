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
#   - [secret] refuses a client that cannot encrypt (SMB2_10:
#     NT_STATUS_ACCESS_DENIED, and signetd logs why), serves a SMB3_11 client
#     that asked only for signing (the share is flagged and it encrypts, as
#     [MS-SMB2] 3.3.5.7 says), and one that encrypts from the start;
#   - on the wire (tshark, when installed): a known text put and got over
#     a signed session is in the capture (the control); over encrypted
#     sessions at SMB3_02 and at SMB3_11 with each cipher it is not, and
#     tshark, given alice's password, decrypts every message and finds it
#     in the WRITE and the READ.
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

# sessions of alice whose client encrypted with cipher $1 (signetd logs the
# first encrypted request of each session)
logged() { grep -c "of 'alice': the client encrypts ($1)" stderr.txt || true; }

# put, get, compare, ls over an encrypted session; $3 is the cipher signetd
# must log the session's client encrypting with.
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
# [MS-SMB2] 3.3.5.7: refused to a client that cannot encrypt (SMB 2.1 has
# no encryption), served to one that can even when it asks for signing only:
# the share is flagged SMB2_SHAREFLAG_ENCRYPT_DATA and the client encrypts
out=$(smb secret SMB2_10 sign "ls")
if echo "$out" | grep -q "NT_STATUS_ACCESS_DENIED" &&
    grep -q "tree connect to 'secret' by 'alice' refused: the share requires encryption.*the client negotiated no cipher" stderr.txt; then
    ok "secret: a client that cannot encrypt (SMB2_10) is refused NT_STATUS_ACCESS_DENIED, and signetd logged why"
else
    bad "secret from SMB2_10: $out"
fi
echo "flagged share" >flagged.txt
before=$(grep -c "of 'alice': the client encrypts" stderr.txt || true)
out=$(smb secret SMB3_11 sign "put flagged.txt f.txt; ls")
after=$(grep -c "of 'alice': the client encrypts" stderr.txt || true)
if echo "$out" | grep -q "f.txt" && cmp -s flagged.txt secret/f.txt && [ "$after" -gt "$before" ]; then
    ok "secret: a client asking only for signing is served and encrypts on the flagged share (put, ls)"
else
    bad "secret from a signing-only SMB3_11 client: encrypting sessions $before -> $after: $out"
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
# Each capture is one smbclient session doing put + get of a known text.
# 60,000 bytes keeps every message below 128 KiB: tshark, told to decode a
# port other than 445 as nbss, reads the NetBIOS length as 17 bits.
if command -v tshark >/dev/null; then
    yes "SIGNET-PLAINTEXT-MARKER-7f3c9a" | head -c 60000 >marker.txt
    lines=$(grep -c SIGNET-PLAINTEXT-MARKER marker.txt)
    capture() { # NAME PROTOCOL PROTECTION [extra smbclient options]
        name=$1 m=$2 prot=$3
        shift 3
        rm -f "$name.pcap"
        tshark -i lo -B 64 -f "tcp port $PORT" -w "$name.pcap" >/dev/null 2>tshark_"$name".txt &
        TPID=$!
        for _ in $(seq 100); do grep -q "Capturing on" tshark_"$name".txt 2>/dev/null && break; sleep 0.1; done
        sleep 0.5
        smb rw "$m" "$prot" "put marker.txt m_$name.txt; get m_$name.txt got_$name.txt" "$@" >/dev/null
        sleep 1
        kill "$TPID"
        wait "$TPID" 2>/dev/null || true
        TPID=
    }
    # marker lines in the WRITE and READ payloads tshark shows, with $@ as
    # extra tshark options (the password, or nothing)
    payload_markers() { # PCAP [tshark options]
        f=$1
        shift
        tshark -r "$f" -d "tcp.port==$PORT,nbss" "$@" -Y 'smb2.cmd == 8 || smb2.cmd == 9' \
            -T fields -e data.data 2>/dev/null | tr -d ',\n' |
            python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read()))' | grep -ac SIGNET-PLAINTEXT-MARKER || true
    }
    capture signed SMB3_11 sign
    plain=$(grep -ac SIGNET-PLAINTEXT-MARKER signed.pcap || true)
    if [ "$plain" -gt 0 ] && cmp -s marker.txt got_signed.txt; then
        ok "wire: the file's text is in the raw capture of a signed session ($plain lines): the control"
    else
        bad "wire: signed session: $plain marker lines in the raw capture"
    fi
    # tshark derives the session key from NTLMSSP given the password, then
    # the cipher keys ([MS-SMB2] 3.1.4.2), and decrypts: an independent check
    # of our keys, nonces and transform headers.
    for spec in SMB3_02:AES-128-CCM SMB3_11:AES-128-GCM SMB3_11:AES-128-CCM SMB3_11:AES-256-GCM SMB3_11:AES-256-CCM; do
        m=${spec%%:*} c=${spec#*:}
        name=sealed_${m}_$c
        if [ "$m" = SMB3_11 ]; then
            capture "$name" "$m" encrypt --option="client smb3 encryption algorithms=$c"
        else
            capture "$name" "$m" encrypt
        fi
        raw=$(grep -ac SIGNET-PLAINTEXT-MARKER "$name.pcap" || true)
        nopass=$(payload_markers "$name.pcap")
        decrypted=$(payload_markers "$name.pcap" -o ntlmssp.nt_password:secret)
        frames=$(tshark -r "$name.pcap" -d "tcp.port==$PORT,nbss" -o ntlmssp.nt_password:secret 2>/dev/null |
            grep -c "Decrypted SMB3" || true)
        if [ "$raw" -eq 0 ] && [ "$nopass" -eq 0 ] && [ "$decrypted" -eq $((2 * lines)) ] &&
            cmp -s marker.txt "got_$name.txt"; then
            ok "wire $m $c: no plaintext in the raw capture; tshark with the password decrypts $frames messages and finds the file's $lines lines in the WRITE and in the READ"
        else
            bad "wire $m $c: raw $raw, undecrypted payload $nopass, decrypted $decrypted (want $((2 * lines))), $frames messages decrypted"
        fi
    done
else
    echo "# tshark not installed: wire checks skipped"
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
