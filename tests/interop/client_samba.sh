#!/bin/bash
# signet against real Samba smbd peers on loopback (issue item 4).
#
# Peers (ports 4520-4526): signing mandatory, signing auto, and three with
# `server smb3 signing algorithms` forcing one algorithm each. For every
# dialect (and on 3.1.1 for every algorithm): put an 8 MiB random file, list
# it, get it back and compare SHA-256, rename it, delete it; and check that the
# algorithm `signet -v` reports is the one `smbstatus -b` shows for the session.
#
# Needs root (useradd, smbpasswd) and samba; exits 77 (skipped) otherwise.
# SIGNET=path/to/signet overrides the binary.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SIGNET_FROM_ENV=${SIGNET:-}
. "$HERE/client_lib.sh"
# BUILD_DIR (scripts/interop.sh passes it) names the binary under test
[ -z "$SIGNET_FROM_ENV" ] && [ -n "${1:-}" ] && [ -x "$1/tools/signet" ] && SIGNET=$1/tools/signet
if [ -z "${SIGNET_SET:-}" ] && [ ! -x "$SIGNET" ]; then
    for b in "$HERE/../../build-test/tools/signet" "$HERE/../../build/tools/signet"; do
        [ -x "$b" ] && SIGNET=$b && break
    done
fi
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for useradd/smbpasswd"; exit 77; }
command -v smbd >/dev/null && command -v smbstatus >/dev/null || { echo "SKIP: no samba"; exit 77; }
[ -x "$SIGNET" ] || { echo "FAIL: no signet binary at $SIGNET"; exit 1; }

TMP=$(mktemp -d /tmp/signet-client-samba-XXXXXX)
chmod 755 "$TMP" # the share owner must reach the share directories
PEERS=()
cleanup() {
    for d in "${PEERS[@]}"; do smbd_stop "$d"; done
    rm -rf "$TMP"
}
trap cleanup EXIT

start_peer() { # name port signing extra
    smbd_start "$TMP/$1" "$2" "$3" "${4:-}" >/dev/null 2>&1 || die "cannot start smbd $1"
    PEERS+=("$TMP/$1")
}
start_peer mandatory 4520 mandatory
start_peer auto 4521 auto
start_peer gmac 4522 mandatory "  server smb3 signing algorithms = AES-128-GMAC"
start_peer cmac 4523 mandatory "  server smb3 signing algorithms = AES-128-CMAC"
start_peer hmac 4524 mandatory "  server smb3 signing algorithms = HMAC-SHA256"

head -c 8388608 /dev/urandom >"$TMP/rand.bin"
SUM=$(sha256sum <"$TMP/rand.bin" | cut -d' ' -f1)
AUTH=(-U "$SMB_USER%$SMB_PASS")
PASSED=0
FAILED=0

check() { # description, then a command that must succeed
    local what=$1
    shift
    if "$@"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); echo "FAIL: $what" >&2; fi
}

dialect_name() {
    case $1 in SMB2_02) echo 2.0.2 ;; SMB2_10) echo 2.1 ;; SMB3_00) echo 3.0 ;;
    SMB3_02) echo 3.0.2 ;; SMB3_11) echo 3.1.1 ;; esac
}

# put from a pipe that holds the session open while smbstatus looks at it
put_and_status() { # peer port remote proto extra...
    local peer=$1 port=$2 remote=$3 proto=$4
    shift 4
    (sleep 1; cat "$TMP/rand.bin") |
        "$SIGNET" -v put "//127.0.0.1:$port/share/$remote" - "${AUTH[@]}" --max-protocol="$proto" \
            "$@" 2>"$TMP/put.err" &
    local pid=$!
    sleep 0.6
    smbstatus -s "$TMP/$peer/smb.conf" -b 2>/dev/null | grep -E "^[0-9]+ +$SMB_USER " >"$TMP/status"
    wait "$pid"
}

one_case() { # peer port proto expected-alg extra-signet-args...
    local peer=$1 port=$2 proto=$3 alg=$4
    shift 4
    local tag="$peer/$proto/$alg" f="f-$peer-$proto.bin" u="//127.0.0.1:$port/share"
    check "$tag put" put_and_status "$peer" "$port" "$f" "$proto" "$@"
    local line
    line=$(grep '^SMB ' "$TMP/put.err")
    check "$tag -v line '$line'" [ "$line" = "SMB $(dialect_name "$proto"), signed with $alg, not encrypted, user WORKGROUP\\$SMB_USER" ]
    check "$tag smbstatus shows $proto and $alg: $(cat "$TMP/status")" \
        grep -qE " $proto +[^ ]+ +$alg" "$TMP/status"
    check "$tag ls" sh -c "'$SIGNET' ls '$u' ${AUTH[*]} --max-protocol=$proto $* | grep -qE ' $f +A? *8388608 '"
    rm -f "$TMP/got.bin"
    check "$tag get" "$SIGNET" get "$u/$f" "$TMP/got.bin" "${AUTH[@]}" --max-protocol="$proto" "$@"
    check "$tag sha256" [ "$(sha256sum <"$TMP/got.bin" | cut -d' ' -f1)" = "$SUM" ]
    check "$tag mv" "$SIGNET" mv "$u/$f" "moved-$f" "${AUTH[@]}" --max-protocol="$proto" "$@"
    check "$tag renamed on disk" [ -f "$TMP/$peer/share/moved-$f" ] && [ ! -e "$TMP/$peer/share/$f" ]
    check "$tag rm" "$SIGNET" rm "$u/moved-$f" "${AUTH[@]}" --max-protocol="$proto" "$@"
    check "$tag deleted on disk" [ ! -e "$TMP/$peer/share/moved-$f" ]
    echo "ok: $tag"
}

for proto in SMB2_02 SMB2_10; do one_case mandatory 4520 "$proto" HMAC-SHA256; done
for proto in SMB3_00 SMB3_02; do one_case mandatory 4520 "$proto" AES-128-CMAC; done
one_case mandatory 4520 SMB3_11 AES-128-GMAC
one_case auto 4521 SMB3_11 AES-128-GMAC
one_case auto 4521 SMB3_00 AES-128-CMAC
one_case gmac 4522 SMB3_11 AES-128-GMAC
one_case cmac 4523 SMB3_11 AES-128-CMAC
one_case hmac 4524 SMB3_11 HMAC-SHA256
# the client's list restricts what a server that accepts all three may pick
one_case mandatory 4520 SMB3_11 HMAC-SHA256 --signing-algorithms=HMAC-SHA256
one_case mandatory 4520 SMB3_11 AES-128-CMAC --signing-algorithms=AES-128-CMAC,HMAC-SHA256

# no signing algorithm in common on 3.1.1: Samba refuses NEGOTIATE; the message says why
"$SIGNET" ls //127.0.0.1:4522/share "${AUTH[@]}" --signing-algorithms=HMAC-SHA256 2>"$TMP/err"
rc=$?
check "no common 3.1.1 signing algorithm: exit 1 with the algorithms named" \
    sh -c "[ $rc = 1 ] && grep -q 'refused NEGOTIATE.*offered only HMAC-SHA256' '$TMP/err'"

# --signing=desired against `server signing = auto`: nobody requires signing.
# 3.x still signs TREE_CONNECT / VALIDATE_NEGOTIATE_INFO: smbstatus "partial(...)".
desired_case() { # proto -v-text smbstatus-signing-column
    local proto=$1 how=$2 col=$3 tag="auto/desired/$1" u=//127.0.0.1:4521/share
    check "$tag put" put_and_status auto 4521 "d-$proto.bin" "$proto" --signing=desired
    check "$tag -v says '$how'" grep -qF "SMB $(dialect_name "$proto"), $how, not encrypted" "$TMP/put.err"
    check "$tag smbstatus shows '$col'" grep -qE " $proto +[^ ]+ +$col *\$" "$TMP/status"
    rm -f "$TMP/got.bin"
    check "$tag get" "$SIGNET" get "$u/d-$proto.bin" "$TMP/got.bin" "${AUTH[@]}" --signing=desired --max-protocol="$proto"
    check "$tag sha256" [ "$(sha256sum <"$TMP/got.bin" | cut -d' ' -f1)" = "$SUM" ]
    echo "ok: $tag"
}
desired_case SMB3_11 "partially signed with AES-128-GMAC (signing not required)" "partial\\(AES-128-GMAC\\)"
desired_case SMB3_02 "partially signed with AES-128-CMAC (signing not required)" "partial\\(AES-128-CMAC\\)"
desired_case SMB2_10 "NOT signed" "-"

# mkdir / stat / rmdir, and the errors they give
u=//127.0.0.1:4520/share
check "mkdir" "$SIGNET" mkdir "$u/d1" "${AUTH[@]}"
check "stat dir" sh -c "'$SIGNET' stat '$u/d1' ${AUTH[*]} | grep -q 'Type: directory'"
echo x >"$TMP/mandatory/share/d1/inner"
"$SIGNET" rmdir "$u/d1" "${AUTH[@]}" 2>"$TMP/err"
check "rmdir of a non-empty dir fails" grep -q STATUS_DIRECTORY_NOT_EMPTY "$TMP/err"
rm -f "$TMP/mandatory/share/d1/inner"
check "rmdir" "$SIGNET" rmdir "$u/d1" "${AUTH[@]}"
check "rmdir removed it" [ ! -e "$TMP/mandatory/share/d1" ]
"$SIGNET" get "$u/nothing" "$TMP/x" "${AUTH[@]}" 2>"$TMP/err"
check "get of a missing file fails with NAME_NOT_FOUND" grep -q STATUS_OBJECT_NAME_NOT_FOUND "$TMP/err"
"$SIGNET" ls "$u" -U "$SMB_USER%wrong" 2>"$TMP/err"
check "wrong password: LOGON_FAILURE" grep -q STATUS_LOGON_FAILURE "$TMP/err"
check "SIGNET_PASSWORD works" sh -c "SIGNET_PASSWORD='$SMB_PASS' '$SIGNET' ls '$u' -U '$SMB_USER' >/dev/null"

# The API beyond the CLI (ECHO, two trees, READ/WRITE, FLUSH, truncate, times,
# QUERY_INFO, rename with replace, errors), when the test build has it.
API_CHECK=${API_CHECK:-$(dirname "$SIGNET")/../tests/unit/client/client_api_check}
if [ -x "$API_CHECK" ]; then
    for proto in SMB2_02 SMB2_10 SMB3_00 SMB3_02 SMB3_11; do
        check "API check over $proto" "$API_CHECK" 127.0.0.1 4520 share "$SMB_USER" "$SMB_PASS" "$proto"
    done
else
    echo "SKIP: no client_api_check next to $SIGNET"
fi

# --config FILE: the [client] section, overridden by the command line
printf '[client]\n  client max protocol = SMB3_02\n  client signing = required\n' >"$TMP/c1.conf"
"$SIGNET" -v ls "$u" "${AUTH[@]}" --config "$TMP/c1.conf" >/dev/null 2>"$TMP/err"
check "--config: client max protocol = SMB3_02" grep -q "^SMB 3.0.2, signed with AES-128-CMAC" "$TMP/err"
printf '[client]\n  client smb3 signing algorithms = HMAC-SHA256\n' >"$TMP/c2.conf"
"$SIGNET" -v ls "$u" "${AUTH[@]}" --config "$TMP/c2.conf" >/dev/null 2>"$TMP/err"
check "--config: client smb3 signing algorithms" grep -q "^SMB 3.1.1, signed with HMAC-SHA256" "$TMP/err"
"$SIGNET" -v ls "$u" "${AUTH[@]}" --config "$TMP/c1.conf" --max-protocol=SMB3_11 >/dev/null 2>"$TMP/err"
check "--config: the command line wins" grep -q "^SMB 3.1.1" "$TMP/err"
printf '[client]\n  client signing = desired\n  client signing audit = yes\n' >"$TMP/c4.conf"
"$SIGNET" ls //127.0.0.1:4521/share "${AUTH[@]}" --config "$TMP/c4.conf" >/dev/null 2>"$TMP/err"
check "client signing audit = yes: warns about an unsigned session (event 31998)" \
    grep -q "warning: audit: .*not signed.*31998" "$TMP/err"
"$SIGNET" ls //127.0.0.1:4520/share "${AUTH[@]}" --config "$TMP/c4.conf" >/dev/null 2>"$TMP/err"
check "client signing audit: no warning when the server requires signing" [ ! -s "$TMP/err" ]
printf '[client]\n  client signing = sometimes\n' >"$TMP/c3.conf"
"$SIGNET" ls "$u" "${AUTH[@]}" --config "$TMP/c3.conf" 2>"$TMP/err"
rc=$?
check "--config: a bad value is reported with file and line (exit 2)" \
    sh -c "[ $rc = 2 ] && grep -q 'c3.conf:2' '$TMP/err'"

echo "client_samba: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
