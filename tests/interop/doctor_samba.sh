#!/usr/bin/env bash
# `signet doctor` against real servers on loopback (ports 4850-4899 only).
#
#   Samba mandatory: server signing = mandatory, map to guest = never
#   Samba auto:      server signing = auto,      map to guest = never
#   Samba guest:     server signing = disabled,  map to guest = bad user, guest ok share
#   signetd:         server signing = mandatory, a user from `signet user add`
#
# Checks: for each Samba mode, doctor's verdict for the Windows 11 Pro profile
# (signing required, no insecure guest) is what smbclient --client-protection=sign
# actually does under that policy (works vs an NT_STATUS_ failure): as a user
# with an account on mandatory and auto, as a user without one on the guest
# server. With -U, the enforcement check against Samba (mandatory, auto) and
# signetd reports both tampered requests (unsigned, corrupted signature)
# rejected and the correctly signed control served, while impacket's
# SimpleSMBServer (which never verifies signatures) yields the finding that
# signing is not enforced (skipped without impacket); the exit statuses are 0
# (all work), 1 (a profile fails) and 3 (unreachable). The client's audit
# events: 31017 for a refused guest logon (collected by doctor -U), 31998
# (client signing audit = yes) for a guest or unsigned session, 31999 for an
# SMB 2.1 session (no encryption), none for a signed 3.1.1 one.
#
# usage: tests/interop/doctor_samba.sh BUILD_DIR   (or SIGNET=path/to/signet)
# Needs root (useradd, smbpasswd), smbd and smbclient; exit 77 otherwise.
set -u
BUILD=${1:-${BUILD_DIR:-build}}
SIGNET_BIN=${SIGNET:-$BUILD/tools/signet}
SIGNETD=${SIGNETD:-$BUILD/tools/signetd}
PY=/usr/bin/python3
DOC_USER=signetdoc
DOC_PASS=Doctor-secret1

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for useradd/smbpasswd"; exit 77; }
for tool in smbd smbclient ss "$PY"; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
[ -x "$SIGNET_BIN" ] || { echo "FAIL: no signet at $SIGNET_BIN"; exit 1; }
"$SIGNET_BIN" doctor --help >/dev/null 2>&1 || { echo "FAIL: $SIGNET_BIN has no doctor command"; exit 1; }

TMP=$(mktemp -d /tmp/signet-doctor-interop.XXXXXX)
chmod 755 "$TMP"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT

FAILS=0
PASSES=0
check() { # check DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        echo "ok    $1: $3"
        PASSES=$((PASSES + 1))
    else
        echo "FAIL  $1: expected '$2', got '$3'"
        FAILS=$((FAILS + 1))
    fi
}

# Free ports in 4850-4899, one per peer.
PORTS=()
for p in $(seq 4850 4899); do
    ss -ltnH "sport = :$p" | grep -q . || PORTS+=("$p")
    [ "${#PORTS[@]}" -ge 6 ] && break
done
[ "${#PORTS[@]}" -ge 5 ] || { echo "FAIL: no 5 free ports in 4850-4899"; exit 1; }

wait_listen() { # PORT PID NAME LOG
    for _ in $(seq 100); do
        ss -ltnH "sport = :$1" | grep -q "127.0.0.1:$1" && return 0
        kill -0 "$2" 2>/dev/null || break
        sleep 0.1
    done
    echo "FAIL: $3 does not listen on 127.0.0.1:$1"; tail -20 "$4" 2>/dev/null
    return 1
}

# start_smbd NAME PORT SIGNING(mandatory|auto|disabled) GUEST(yes|no)
start_smbd() {
    local d=$TMP/$1 port=$2 map=never guestok=no
    [ "$4" = yes ] && map="bad user" && guestok=yes
    mkdir -p "$d"/{private,lock,state,cache,pid,share}
    chmod 777 "$d/share"
    cat >"$d/smb.conf" <<CONF
[global]
  server role = standalone server
  smb ports = $port
  interfaces = 127.0.0.1
  bind interfaces only = yes
  disable netbios = yes
  private dir = $d/private
  lock directory = $d/lock
  state directory = $d/state
  cache directory = $d/cache
  pid directory = $d/pid
  log file = $d/log.smbd
  passdb backend = tdbsam:$d/private/passdb.tdb
  server signing = $3
  server min protocol = SMB2_02
  map to guest = $map
  load printers = no
  disable spoolss = yes
[share]
  path = $d/share
  read only = no
  guest ok = $guestok
CONF
    if [ "$4" = no ]; then
        id "$DOC_USER" >/dev/null 2>&1 || useradd -M "$DOC_USER" 2>/dev/null || true
        printf '%s\n%s\n' "$DOC_PASS" "$DOC_PASS" |
            smbpasswd -c "$d/smb.conf" -s -a "$DOC_USER" >/dev/null || return 1
    fi
    # Its own session: on SIGTERM smbd signals its whole process group.
    setsid smbd -F --no-process-group -s "$d/smb.conf" </dev/null >"$d/stdout" 2>&1 &
    PIDS+=($!)
    wait_listen "$port" "$!" "smbd $1" "$d/log.smbd"
}

start_signetd() { # NAME PORT
    local d=$TMP/$1
    mkdir -p "$d/share"
    SIGNET_PASSWORD=$DOC_PASS "$SIGNET_BIN" user add "$DOC_USER" --db "$d/users.db" >/dev/null ||
        return 1
    printf '[global]\nlisten = 127.0.0.1:%s\nserver signing = mandatory\nmap to guest = never\nuser database = %s\n[share]\npath = %s\n' \
        "$2" "$d/users.db" "$d/share" >"$d/signet.conf"
    "$SIGNETD" --config "$d/signet.conf" --foreground >"$d/log" 2>&1 &
    PIDS+=($!)
    wait_listen "$2" "$!" "signetd" "$d/log"
}

P_MAND=${PORTS[0]} P_AUTO=${PORTS[1]} P_GUEST=${PORTS[2]} P_SIGNETD=${PORTS[3]} P_NONE=${PORTS[4]}
start_smbd mandatory "$P_MAND" mandatory no || exit 1
start_smbd auto "$P_AUTO" auto no || exit 1
start_smbd guest "$P_GUEST" disabled yes || exit 1
HAVE_SIGNETD=no
if [ -x "$SIGNETD" ]; then start_signetd signetd "$P_SIGNETD" && HAVE_SIGNETD=yes; fi
echo "# smbd mandatory:$P_MAND auto:$P_AUTO guest:$P_GUEST; signetd:$P_SIGNETD ($HAVE_SIGNETD)"

# field FILE EXPR: one value of doctor's JSON (j is the object).
field() {
    "$PY" -c 'import json, sys; j = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
pro_works() { field "$1" '"works" if [p for p in j["profiles"] if p["profile"] == "windows11-pro"][0]["works"] else "fails"'; }

# What smbclient does when it requires signing: "works" or its NT_STATUS_.
smbclient_signed() { # PORT USER%PASS
    local out
    out=$(smbclient "//127.0.0.1/share" -p "$1" -U "$2" -m SMB3_11 --client-protection=sign \
        -c ls 2>&1)
    local rc=$?
    echo "$out" | sed 's/^/#   smbclient | /' | grep -v '^#   smbclient | *$' | head -4 >&2
    if [ "$rc" -eq 0 ]; then echo works; else
        echo "$out" | grep -o 'NT_STATUS_[A-Z_]*' | head -1 | sed 's/^$/failed/'
    fi
}

# doctor_case NAME PORT SMBCLIENT_CREDS [DOCTOR ARGS...]
doctor_case() {
    local name=$1 port=$2 creds=$3
    shift 3
    echo "== $name (port $port)"
    "$SIGNET_BIN" doctor "//127.0.0.1:$port/share" "$@" | sed 's/^/#   /'
    "$SIGNET_BIN" doctor --json "//127.0.0.1:$port/share" "$@" >"$TMP/$name.json"
    echo "$?" >"$TMP/$name.rc"
    local smb doc
    smb=$(smbclient_signed "$port" "$creds")
    doc=$(pro_works "$TMP/$name.json")
    [ "$smb" = works ] || smb="fails ($smb)"
    [ "$doc" = works ] || doc="fails ($(field "$TMP/$name.json" \
        '[p for p in j["profiles"] if p["profile"] == "windows11-pro"][0]["status"]'))"
    echo "#   smbclient --client-protection=sign: $smb; doctor (Windows 11 Pro): $doc"
    check "$name: doctor's Windows 11 Pro verdict matches smbclient --client-protection=sign" \
        "${smb%% *}" "${doc%% *}"
}

# 1. Without credentials.
doctor_case mandatory "$P_MAND" "$DOC_USER%$DOC_PASS"
check "mandatory: exit status (every profile works)" 0 "$(cat "$TMP/mandatory.rc")"
doctor_case auto "$P_AUTO" "$DOC_USER%$DOC_PASS"
check "auto: exit status" 0 "$(cat "$TMP/auto.rc")"
doctor_case guest "$P_GUEST" "nosuchuser%whatever"
check "guest: exit status (a profile fails)" 1 "$(cat "$TMP/guest.rc")"
check "guest: Windows 11 Pro shows STATUS_SMB_GUEST_LOGON_BLOCKED" STATUS_SMB_GUEST_LOGON_BLOCKED \
    "$(field "$TMP/guest.json" '[p for p in j["profiles"] if p["profile"] == "windows11-pro"][0]["status"]')"
check "guest: Windows 11 Home connects as guest" "True True" \
    "$(field "$TMP/guest.json" '" ".join(str(p[k]) for p in j["profiles"] if p["profile"] == "windows11-home" for k in ("works", "guest"))')"
# shellcheck disable=SC2016 # a literal $true
check "guest: the client fix names EnableInsecureGuestLogons" yes \
    "$(grep -qF 'Set-SmbClientConfiguration -EnableInsecureGuestLogons $true' "$TMP/guest.json" \
        && echo yes || echo no)"

# 2. With credentials: the real logon and the enforcement check.
enforcement_case() { # NAME PORT
    doctor_case "$1-U" "$2" "$DOC_USER%$DOC_PASS" -U "$DOC_USER%$DOC_PASS"
    local j=$TMP/$1-U.json
    check "$1 -U: correctly signed request served (control)" False \
        "$(field "$j" 'j["control"]["rejected"]')"
    check "$1 -U: unsigned request rejected" True "$(field "$j" 'j["unsigned_request"]["rejected"]')"
    check "$1 -U: request with a bad signature rejected" True \
        "$(field "$j" 'j["bad_signature"]["rejected"]')"
    check "$1 -U: no finding" "" "$(field "$j" 'j["finding"]')"
    check "$1 -U: exit status" 0 "$(cat "$TMP/$1-U.rc")"
}
enforcement_case mandatory "$P_MAND"
enforcement_case auto "$P_AUTO"
if [ "$HAVE_SIGNETD" = yes ]; then
    enforcement_case signetd "$P_SIGNETD"
else
    echo "FAIL  signetd: not started (no $SIGNETD?)"
    FAILS=$((FAILS + 1))
fi

# impacket's SimpleSMBServer never verifies incoming signatures: the finding.
impacket_case() {
    if ! "$PY" -c 'import impacket' 2>/dev/null; then
        echo "# impacket not installed: the non-enforcing server case is skipped"
        return
    fi
    local d=$TMP/impacket port=${PORTS[5]:-}
    [ -n "$port" ] || { echo "FAIL  impacket: no free port"; FAILS=$((FAILS + 1)); return; }
    mkdir -p "$d"
    "$PY" "$(dirname "$0")/client_impacket_server.py" --port "$port" --share "$d" \
        --user "$DOC_USER" --password "$DOC_PASS" --ready "$TMP/impacket.ready" \
        >"$TMP/impacket.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do [ -e "$TMP/impacket.ready" ] && break; sleep 0.1; done
    echo "== impacket (port $port)"
    "$SIGNET_BIN" doctor --json "//127.0.0.1:$port/SHARE" -U "$DOC_USER%$DOC_PASS" \
        >"$TMP/impacket.json"
    check "impacket -U: exit status (signing not enforced)" 1 "$?"
    check "impacket -U: unsigned request served" False \
        "$(field "$TMP/impacket.json" 'j["unsigned_request"]["rejected"]')"
    check "impacket -U: bad signature served" False \
        "$(field "$TMP/impacket.json" 'j["bad_signature"]["rejected"]')"
    check "impacket -U: the finding" \
        "the server does not enforce the signing this session requires (the client required it)" \
        "$(field "$TMP/impacket.json" 'j["finding"]')"
}
impacket_case

# 3. The client's audit events (Windows SMBClient 31017 and 31998).
printf '[client]\n  client signing audit = yes\n' >"$TMP/audit.conf"
# 31017 is a notice of the library's log (the refusal is the error the user
# reads, on one line); doctor collects it during its own logon.
"$SIGNET_BIN" ls "//127.0.0.1:$P_GUEST/share" -U nosuchuser%whatever >/dev/null 2>"$TMP/a1.err"
check "audit: a refused guest logon is one error line" 1 "$(wc -l <"$TMP/a1.err")"
doctor_case guest-U "$P_GUEST" "nosuchuser%whatever" -U nosuchuser%whatever
check "guest -U: the logon was a guest session, refused" STATUS_SMB_GUEST_LOGON_BLOCKED \
    "$(field "$TMP/guest-U.json" '[p for p in j["profiles"] if p["profile"] == "windows11-pro"][0]["status"]')"
check "guest -U: the client logged event 31017" 1 \
    "$(field "$TMP/guest-U.json" 'j["audit_events"]' | grep -c 'event=31017')"
check "guest -U: no enforcement check without a signed session" None \
    "$(field "$TMP/guest-U.json" 'j["unsigned_request"]')"
"$SIGNET_BIN" --config "$TMP/audit.conf" --signing=desired --allow-insecure-guest \
    ls "//127.0.0.1:$P_GUEST/share" -U nosuchuser%whatever >/dev/null 2>"$TMP/a2.err"
sed 's/^/#   /' "$TMP/a2.err"
check "audit: an accepted guest session logs one 31998" 1 \
    "$(grep -c 'event=31998' "$TMP/a2.err")"
"$SIGNET_BIN" --config "$TMP/audit.conf" --signing=desired \
    ls "//127.0.0.1:$P_AUTO/share" -U "$DOC_USER%$DOC_PASS" >/dev/null 2>"$TMP/a3.err"
sed 's/^/#   /' "$TMP/a3.err"
check "audit: an unsigned user session logs one 31998" 1 "$(grep -c 'event=31998' "$TMP/a3.err")"
"$SIGNET_BIN" --config "$TMP/audit.conf" --signing=desired \
    ls "//127.0.0.1:$P_MAND/share" -U "$DOC_USER%$DOC_PASS" >/dev/null 2>"$TMP/a4.err"
check "audit: a signed session logs nothing" 0 "$(grep -c 'event=' "$TMP/a4.err")"
"$SIGNET_BIN" --config "$TMP/audit.conf" --max-protocol=SMB2_10 \
    ls "//127.0.0.1:$P_MAND/share" -U "$DOC_USER%$DOC_PASS" >/dev/null 2>"$TMP/a5.err"
sed 's/^/#   /' "$TMP/a5.err"
check "audit: SMB 2.1 (no encryption) logs 31999 and no 31998" "1 0" \
    "$(grep -c 'event=31999' "$TMP/a5.err") $(grep -c 'event=31998' "$TMP/a5.err")"

# 4. Unreachable: nothing listens on P_NONE.
"$SIGNET_BIN" doctor "//127.0.0.1:$P_NONE/share" --timeout 2 >/dev/null 2>&1
check "unreachable: exit status" 3 "$?"

echo "doctor_samba: $PASSES passed, $FAILS failed"
[ "$FAILS" -eq 0 ]
