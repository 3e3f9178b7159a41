#!/bin/bash
# signet against impacket's SimpleSMBServer (an independent Python server) on
# loopback: the same file round trip as client_samba.sh.
#
#   client_impacket.sh [BUILD_DIR]      (signet is BUILD_DIR/tools/signet;
#                                        SIGNET=path overrides)
#
# Peers (ports 4550-4559 only): one impacket server with a user and password,
# one without (impacket then logs everybody on as guest). Run with Debian's
# /usr/bin/python3, which has impacket (../shared/peers.md).
#
# What impacket 0.10 negotiates (impacket/smbserver.py): SMB 2.0.2 only,
# SecurityMode SIGNING_ENABLED (not REQUIRED), 64 KiB reads and writes; an
# authenticated session signs every response with HMAC-SHA256; incoming
# signatures are never checked. So with signet's default --signing=required
# the session is signed end to end; with --signing=desired nobody requires
# signing and signet does not sign. Checked here:
#  - the -v line in both modes, and a round trip in both: put an 8 MiB random
#    file, ls it, get it back (SHA-256), mv it, rm it, each checked on disk;
#  - with tshark present: every signature in the required-mode capture
#    verifies (tshark checks HMAC-SHA256 with the password), none is bad, and
#    both directions carry good signatures;
#  - the guest-only impacket: refused with STATUS_SMB_GUEST_LOGON_BLOCKED while
#    signing is required, allowed unsigned with --allow-insecure-guest
#    --signing=desired and a warning;
#  - a wrong password: STATUS_LOGON_FAILURE.
# Exits 77 (skipped) when impacket is not installed.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
if [ -z "${SIGNET:-}" ]; then
    SIGNET=""
    for b in "${1:-}" "$HERE/../../build-test" "$HERE/../../build"; do
        [ -n "$b" ] && [ -x "$b/tools/signet" ] && SIGNET=$b/tools/signet && break
    done
fi
[ -x "$PY" ] && "$PY" -c 'import impacket.smbserver' 2>/dev/null ||
    { echo "SKIP: impacket is not installed for $PY (apt-get install python3-impacket)"; exit 77; }
[ -n "$SIGNET" ] && [ -x "$SIGNET" ] || { echo "FAIL: no signet binary (BUILD_DIR/tools/signet)"; exit 1; }

TMP=$(mktemp -d /tmp/signet-client-impacket-XXXXXX)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
PASSED=0
FAILED=0
check() { # description, then a command that must succeed
    local what=$1
    shift
    if "$@"; then PASSED=$((PASSED + 1)); echo "ok: $what"; else FAILED=$((FAILED + 1)); echo "FAIL: $what" >&2; fi
}
port_free() { ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
free_port() { # the first free port in 4550-4559 not yet taken by this script
    local p
    for p in $(seq 4550 4559); do
        case " ${TAKEN:-} " in *" $p "*) continue ;; esac
        port_free "$p" && { TAKEN="${TAKEN:-} $p"; echo "$p"; return 0; }
    done
    return 1
}

# impacket_start NAME [USER PASSWORD]: sets PORT
impacket_start() {
    local name=$1
    shift
    PORT=$(free_port) || { echo "FAIL: no free port in 4550-4559"; exit 1; }
    mkdir -p "$TMP/$name"
    local creds=()
    [ $# -eq 2 ] && creds=(--user "$1" --password "$2")
    "$PY" "$HERE/client_impacket_server.py" --port "$PORT" --share "$TMP/$name" "${creds[@]}" \
        --ready "$TMP/$name.ready" 2>"$TMP/$name.log" &
    PIDS+=($!)
    for _ in $(seq 1 100); do
        [ -e "$TMP/$name.ready" ] && (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "FAIL: impacket ($name) is not listening on $PORT"
    cat "$TMP/$name.log"
    exit 1
}

USER=alice
PASS=secret
impacket_start auth "$USER" "$PASS"
AUTH_PORT=$PORT
impacket_start guest
GUEST_PORT=$PORT
echo "# impacket $(dpkg-query -W -f='${Version}' python3-impacket 2>/dev/null), ports $AUTH_PORT (user) and $GUEST_PORT (guest); signet $SIGNET"

head -c 8388608 /dev/urandom >"$TMP/rand.bin"
SUM=$(sha256sum <"$TMP/rand.bin" | cut -d' ' -f1)
U=//127.0.0.1:$AUTH_PORT/share
CAP=""
if command -v tshark >/dev/null && [ "$(id -u)" = 0 ]; then
    CAP=$TMP/cap.pcap
    tshark -i lo -f "tcp port $AUTH_PORT" -w "$CAP" >/dev/null 2>"$TMP/tshark.log" &
    TSHARK=$!
    PIDS+=("$TSHARK")
    for _ in $(seq 1 50); do grep -q Capturing "$TMP/tshark.log" && break; sleep 0.1; done
    sleep 0.3
fi

round_trip() { # mode expected-v-line
    local mode=$1 vline=$2 f="f-$1.bin" tag="impacket/--signing=$1"
    local A=(-U "$USER%$PASS" --signing="$mode")
    "$SIGNET" -v put "$U/$f" "$TMP/rand.bin" "${A[@]}" 2>"$TMP/put.err"
    check "$tag put 8 MiB" [ $? = 0 ]
    check "$tag -v says '$vline'" grep -qxF "$vline" "$TMP/put.err"
    check "$tag file on disk is the one sent" \
        [ "$(sha256sum <"$TMP/auth/$f" | cut -d' ' -f1)" = "$SUM" ]
    check "$tag ls shows it with its size" \
        sh -c "'$SIGNET' ls '$U' -U '$USER%$PASS' --signing=$mode | grep -qE ' $f +A? *8388608 '"
    rm -f "$TMP/got.bin"
    check "$tag get" "$SIGNET" get "$U/$f" "$TMP/got.bin" "${A[@]}"
    check "$tag sha256 of what came back" [ "$(sha256sum <"$TMP/got.bin" | cut -d' ' -f1)" = "$SUM" ]
    check "$tag mv" "$SIGNET" mv "$U/$f" "moved-$f" "${A[@]}"
    check "$tag renamed on disk" sh -c "[ -f '$TMP/auth/moved-$f' ] && [ ! -e '$TMP/auth/$f' ]"
    check "$tag rm" "$SIGNET" rm "$U/moved-$f" "${A[@]}"
    check "$tag deleted on disk" [ ! -e "$TMP/auth/moved-$f" ]
}

# The default policy, --signing=required: impacket signs an authenticated
# session (HMAC-SHA256 over the NTLM session key), so the session is signed.
round_trip required "SMB 2.0.2, signed with HMAC-SHA256, not encrypted, user WORKGROUP\\$USER"

if [ -n "$CAP" ]; then
    sleep 0.5
    kill "$TSHARK" 2>/dev/null
    wait "$TSHARK" 2>/dev/null
    TS=(tshark -r "$CAP" -d "tcp.port==$AUTH_PORT,nbss" -o "ntlmssp.nt_password:$PASS"
        -o smb2.verify_signatures:TRUE)
    bad=$("${TS[@]}" -Y smb2.bad_signature 2>/dev/null | wc -l)
    good_rsp=$("${TS[@]}" -Y 'smb2.good_signature && smb2.flags.response == 1' 2>/dev/null | wc -l)
    good_req=$("${TS[@]}" -Y 'smb2.good_signature && smb2.flags.response == 0' 2>/dev/null | wc -l)
    unsigned=$("${TS[@]}" -Y 'smb2 && smb2.flags.signature == 0 && smb2.cmd != 0 && smb2.cmd != 1' \
        2>/dev/null | wc -l)
    check "tshark: no bad signature in the required-mode capture" [ "$bad" = 0 ]
    check "tshark: impacket's responses carry good HMAC-SHA256 signatures ($good_rsp)" [ "$good_rsp" -gt 100 ]
    check "tshark: signet's requests carry good signatures ($good_req)" [ "$good_req" -gt 100 ]
    check "tshark: nothing after SESSION_SETUP went unsigned ($unsigned)" [ "$unsigned" = 0 ]
else
    echo "SKIP: tshark signature check (needs tshark and root)"
fi

# --signing=desired: impacket does not require signing and neither do we.
round_trip desired "SMB 2.0.2, NOT signed, not encrypted, user WORKGROUP\\$USER"

# mv to another share: SMB renames within one share; a usage error, nothing moved
echo x >"$TMP/auth/stay.txt"
"$SIGNET" mv "$U/stay.txt" "//127.0.0.1/other/stay.txt" -U "$USER%$PASS" 2>"$TMP/err"
rc=$?
check "mv to //host/OTHER/path: exit 2, 'renames only within one share'" \
    sh -c "[ $rc = 2 ] && grep -q 'renames only within one share' '$TMP/err'"
check "... and the file did not move" [ -f "$TMP/auth/stay.txt" ]
check "mv to //host/SHARE/path (same share, other case) renames" \
    "$SIGNET" mv "$U/stay.txt" "//127.0.0.1/SHARE/moved.txt" -U "$USER%$PASS"
check "... on disk" [ -f "$TMP/auth/moved.txt" ]

# A wrong password
"$SIGNET" ls "$U" -U "$USER%wrong" 2>"$TMP/err"
rc=$?
check "wrong password: exit 1 with STATUS_LOGON_FAILURE" sh -c "[ $rc = 1 ] && grep -q STATUS_LOGON_FAILURE '$TMP/err'"

# impacket without accounts grants a guest session, which cannot be signed.
G=//127.0.0.1:$GUEST_PORT/share
echo hello >"$TMP/guest/hello.txt"
"$SIGNET" ls "$G" -U "$USER%$PASS" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "guest-only impacket, signing required: exit 1, STATUS_SMB_GUEST_LOGON_BLOCKED (0xC05D0002)" \
    sh -c "[ $rc = 1 ] && grep -q 'STATUS_SMB_GUEST_LOGON_BLOCKED, 0xC05D0002' '$TMP/err'"
check "... with the Windows text" grep -qF "You can't access this shared folder because your organization's security policies block unauthenticated guest access." "$TMP/err"
check "... and nothing listed" [ ! -s "$TMP/out" ]
"$SIGNET" ls "$G" -U "$USER%$PASS" --signing=desired >"$TMP/out" 2>"$TMP/err"
check "guest-only impacket, --signing=desired alone: still blocked" grep -q 0xC05D0002 "$TMP/err"
"$SIGNET" -v ls "$G" -U "$USER%$PASS" --signing=desired --allow-insecure-guest >"$TMP/out" 2>"$TMP/err"
check "guest-only impacket, --allow-insecure-guest --signing=desired: listed" grep -q hello.txt "$TMP/out"
check "... with the warning" grep -q "warning: logged on as GUEST" "$TMP/err"
check "... and -v says 'SMB 2.0.2, NOT signed, not encrypted, guest session'" \
    grep -q "^SMB 2.0.2, NOT signed, not encrypted, guest session" "$TMP/err"

echo "client_impacket: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
