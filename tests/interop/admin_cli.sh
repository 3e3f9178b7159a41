#!/bin/sh
# The administration commands of the real signet binary: `signet user`
# (the user database: 0600, NT hashes only) and `signet config show|set`
# (Windows' names over signet.conf, every comment kept, an invalid value
# changing nothing). With signetd built too, logons prove that the database
# and the edited configuration are what signetd reads.
#
#   tests/interop/admin_cli.sh BUILD_DIR
#
# One line per check, "ok - ..." or "FAIL - ..."; exit 77 when the build's
# signet has no `user` command yet. Every process started here is stopped by
# its pid.
set -u

BUILD=${1:?usage: tests/interop/admin_cli.sh BUILD_DIR}
SIGNET=$(realpath "$BUILD/tools/signet" 2>/dev/null || echo "$BUILD/tools/signet")
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "")
[ -x "$SIGNET" ] || { echo "no $SIGNET (build first)"; exit 2; }
"$SIGNET" user --help >/dev/null 2>&1 || { echo "SKIP: $SIGNET has no 'user' command"; exit 77; }

WORK=$(mktemp -d /tmp/signet-admin-XXXXXX)
PID=
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill "$PID"
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
cd "$WORK" || exit 1
unset SIGNET_PASSWORD

FAILS=0
ok() { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; FAILS=$((FAILS + 1)); }
check() { # check DESCRIPTION COMMAND...: ok when the command succeeds
    what=$1
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}
# run EXPECTED_RC COMMAND...: output in out.txt and err.txt; true when the
# exit status is the one expected
run() {
    want=$1
    shift
    "$@" >out.txt 2>err.txt
    rc=$?
    [ "$rc" -eq "$want" ] || { echo "  (exit $rc, wanted $want: $(head -c 300 err.txt))"; return 1; }
}
mode_of() { stat -c %a "$1"; }
no_temporary_files() { [ "$(ls "$WORK" | grep -c tmp)" = 0 ]; }

# ---- signet user ----
NT_PASSWORD=8846F7EAEE8FB117AD06BDD830B7586C # MD4(UTF-16LE("password")), [MS-NLMP]
DB=$WORK/users.db
check "user add alice (SIGNET_PASSWORD)" \
    run 0 env SIGNET_PASSWORD=password "$SIGNET" user add alice --db "$DB"
check "the user database has mode 0600" test "$(mode_of "$DB")" = 600
check "the file holds alice's NT hash" grep -qx "alice:$NT_PASSWORD" "$DB"
check "no password in the file" sh -c "! grep -qi password '$DB'"
cp "$DB" db.before
check "user add of an existing user (any case) exits 1" \
    run 1 env SIGNET_PASSWORD=x "$SIGNET" user add ALICE --db "$DB"
check "... naming the fix (signet user passwd)" grep -q "signet user passwd" err.txt
check "... and leaves the file as it was" cmp -s "$DB" db.before
check "user add bob" run 0 env SIGNET_PASSWORD='Bob pass 1' "$SIGNET" user add bob --db "$DB"
run 0 "$SIGNET" user list --db "$DB"
check "user list prints the names, one a line" test "$(cat out.txt)" = "$(printf 'alice\nbob')"
check "user passwd alice" \
    run 0 env SIGNET_PASSWORD=Other-pass-2 "$SIGNET" user passwd alice --db "$DB"
check "... changes her hash" sh -c "grep -q '^alice:' '$DB' && ! grep -q '$NT_PASSWORD' '$DB'"
check "... keeps mode 0600" test "$(mode_of "$DB")" = 600
cp "$DB" db.before
check "an empty password is refused (exit 1)" \
    run 1 env SIGNET_PASSWORD= "$SIGNET" user passwd alice --db "$DB"
check "... without touching the file" cmp -s "$DB" db.before
check "no terminal and no SIGNET_PASSWORD: exit 1, saying what to do" sh -c \
    "setsid '$SIGNET' user add carol --db '$DB' </dev/null >/dev/null 2>err.txt
     [ \$? -eq 1 ] && grep -q SIGNET_PASSWORD err.txt"
check "user passwd of a missing user exits 1" \
    run 1 env SIGNET_PASSWORD=x "$SIGNET" user passwd carol --db "$DB"
check "user del bob" run 0 "$SIGNET" user del bob --db "$DB"
run 0 "$SIGNET" user list --db "$DB"
check "... bob is gone" test "$(cat out.txt)" = alice
check "user del of a missing user exits 1" run 1 "$SIGNET" user del bob --db "$DB"
check "user list of a missing database exits 1" run 1 "$SIGNET" user list --db "$WORK/none.db"
check "an unknown action is a usage error (exit 2)" \
    run 2 "$SIGNET" user frobnicate alice --db "$DB"
check "a missing NAME is a usage error (exit 2)" run 2 "$SIGNET" user add --db "$DB"
check "no temporary file is left beside the database" no_temporary_files

# ---- signet config show ----
printf '# nothing set: the built-in defaults\n' >empty.conf
cat >defaults.expected <<'EOF'
[client]
AuditServerDoesNotSupportSigning : False
EnableInsecureGuestLogons        : False
EnableSecuritySignature          : True
EncryptionCiphers                : AES_128_GCM, AES_128_CCM, AES_256_GCM, AES_256_CCM
RequireEncryption                : False
RequireSecuritySignature         : True
SigningAlgorithms                : AES-128-GMAC, AES-128-CMAC, HMAC-SHA256
Smb2DialectMax                   : None
Smb2DialectMin                   : None

[server]
AuditClientDoesNotSupportSigning   : False
EnableSecuritySignature            : True
EncryptData                        : False
EncryptionCiphers                  : AES_128_GCM, AES_128_CCM, AES_256_GCM, AES_256_CCM
InvalidAuthenticationDelayTimeInMs : 2000
RequireSecuritySignature           : True
SigningAlgorithms                  : AES-128-GMAC, AES-128-CMAC, HMAC-SHA256
Smb2DialectMax                     : None
Smb2DialectMin                     : None
EOF
run 0 "$SIGNET" config show --config empty.conf
check "config show: the Windows 11 24H2 defaults" cmp -s out.txt defaults.expected
check "... and standard error names the file it read" grep -q "empty.conf" err.txt
run 0 "$SIGNET" config show --client --config empty.conf requiresecuritysignature
check "config show --client NAME: one Format-List line" \
    test "$(cat out.txt)" = "RequireSecuritySignature : True"
run 0 "$SIGNET" config show --json --config empty.conf
check "config show --json: an object per role" python3 -c '
import json
d = json.load(open("out.txt"))
assert sorted(d) == ["client", "server"]
assert d["client"]["RequireSecuritySignature"] is True
assert d["server"]["InvalidAuthenticationDelayTimeInMs"] == 2000
assert d["client"]["SigningAlgorithms"][0] == "AES-128-GMAC"'
check "an unknown NAME exits 2, listing the valid ones" sh -c \
    "'$SIGNET' config show NoSuchSetting --config empty.conf >/dev/null 2>err.txt
     [ \$? -eq 2 ] && grep -q RequireSecuritySignature err.txt"

# ---- signet config set ----
cat >signet.conf <<EOF
# Signet test configuration; every byte of this comment must survive.
;   another comment style
[global]
	listen = 127.0.0.1:4455   ; loopback only
	user database = $DB

# shares
[data]
	path = $WORK
	valid users = alice
EOF
chmod 640 signet.conf
cp signet.conf conf.orig
run 0 "$SIGNET" config set --server RequireSecuritySignature False --config signet.conf
check "config set --server RequireSecuritySignature False" \
    grep -qx "server signing: mandatory (default) -> auto" out.txt
check "... says signetd must reload" grep -q "signetd must reload" out.txt
check "... adds 'server signing = auto' to [global], indented as its keys" \
    test "$(sed -n 6p signet.conf)" = "	server signing = auto"
run 0 "$SIGNET" config show --server RequireSecuritySignature --config signet.conf
check "config show reflects it" test "$(cat out.txt)" = "RequireSecuritySignature : False"
run 0 "$SIGNET" config set --client RequireSecuritySignature True --config signet.conf
run 0 "$SIGNET" config set --client EnableInsecureGuestLogons True --config signet.conf
run 0 "$SIGNET" config set --client Smb2DialectMin 3.1.1 --config signet.conf
check "config set --client Smb2DialectMin 3.1.1" \
    grep -qx "client min protocol: SMB2_02 (default) -> SMB3_11" out.txt
check "... takes effect on the next connection" grep -q "next signet connection" out.txt
run 0 "$SIGNET" config set --client RequireSecuritySignature False --config signet.conf
check "replacing a key prints old -> new" grep -qx "client signing: required -> desired" out.txt
run 0 "$SIGNET" config set --server SigningAlgorithms AES-128-GMAC,AES-128-CMAC --config signet.conf
run 0 "$SIGNET" config set --server InvalidAuthenticationDelayTimeInMs 500 --config signet.conf
run 0 "$SIGNET" config show --config signet.conf
check "config show reflects every set" sh -c "
    grep -qx 'RequireSecuritySignature         : False' out.txt &&
    grep -qx 'EnableInsecureGuestLogons        : True' out.txt &&
    grep -qx 'Smb2DialectMin                   : SMB311' out.txt &&
    grep -qx 'SigningAlgorithms                  : AES-128-GMAC, AES-128-CMAC' out.txt &&
    grep -qx 'InvalidAuthenticationDelayTimeInMs : 500' out.txt"
check "[client] was created once, at the end" sh -c \
    "[ \$(grep -c '^\[client\]' signet.conf) -eq 1 ] && [ \"\$(tail -n 4 signet.conf | head -n 1)\" = '[client]' ]"
check "every original line is kept, in order (only additions)" sh -c \
    "! diff conf.orig signet.conf | grep -q '^<'"
check "the file keeps its mode (0640)" test "$(mode_of signet.conf)" = 640

cp signet.conf conf.before
check "an invalid value exits 2" \
    run 2 "$SIGNET" config set --server InvalidAuthenticationDelayTimeInMs 150 --config signet.conf
check "... naming the valid values" grep -q "steps of 100" err.txt
check "... and leaves the file byte-identical" cmp -s signet.conf conf.before
check "a value the loader refuses exits 2 (maximum below the minimum)" \
    run 2 "$SIGNET" config set --client Smb2DialectMax SMB3_02 --config signet.conf
check "... file byte-identical" cmp -s signet.conf conf.before
check "an unknown name exits 2" run 2 "$SIGNET" config set --client NoSuchSetting 1 --config signet.conf
check "a server name set with --client exits 2" \
    run 2 "$SIGNET" config set --client InvalidAuthenticationDelayTimeInMs 0 --config signet.conf
check "a fixed setting exits 2 (EnableSecuritySignature, SMB1 only)" \
    run 2 "$SIGNET" config set --server EnableSecuritySignature False --config signet.conf
check "set without --client or --server exits 2" \
    run 2 "$SIGNET" config set RequireSecuritySignature True --config signet.conf
check "... file still byte-identical" cmp -s signet.conf conf.before
check "no temporary file is left beside the configuration" no_temporary_files
printf '[global]\n  server signing = sometimes\n' >broken.conf
cp broken.conf broken.before
check "a broken file is not edited (exit 1)" \
    run 1 "$SIGNET" config set --server EncryptData False --config broken.conf
check "... the message names the file and the line" grep -q "broken.conf:2:" err.txt
check "... file byte-identical" cmp -s broken.conf broken.before

# ---- signetd reads what was written (when it is built) ----
port_free() { ! bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
PORT=
for p in $(seq 4800 4849); do
    if port_free "$p"; then
        PORT=$p
        break
    fi
done
if [ -x "$SIGNETD" ] && [ -n "$PORT" ]; then
    run 0 "$SIGNET" config set --server Smb2DialectMin SMB3_00 --config signet.conf
    sed -i "s/127.0.0.1:4455/127.0.0.1:$PORT/" signet.conf
    "$SIGNETD" --config signet.conf --foreground >signetd.log 2>&1 &
    PID=$!
    for _ in $(seq 50); do
        port_free "$PORT" || break
        sleep 0.1
    done
    SIGNET_PASSWORD=Other-pass-2 "$SIGNET" ls "//127.0.0.1:$PORT/data" -U alice >ls.txt 2>&1
    check "signetd accepts alice's password from the user database" test $? -eq 0
    "$SIGNET" ls "//127.0.0.1:$PORT/data" -U alice%password >ls.txt 2>&1
    check "... and refuses her old one (logon failure)" grep -q STATUS_LOGON_FAILURE ls.txt
    SIGNET_PASSWORD=Other-pass-2 "$SIGNET" --max-protocol=SMB2_10 ls "//127.0.0.1:$PORT/data" \
        -U alice >ls.txt 2>&1
    check "... and applies the edited minimum dialect (SMB3_00: SMB2_10 refused)" \
        grep -q "refused NEGOTIATE" ls.txt
    kill "$PID"
    wait "$PID" 2>/dev/null
    PID=
else
    ok "signetd end-to-end skipped (no signetd, or no free port in 4800-4849)"
fi

[ "$FAILS" -eq 0 ]
