#!/bin/sh
# signetd against Samba's conformance suite (peers.md): the smbtorture tests
# that need no file operations must pass. Tests that open files fail with
# NT_STATUS_NOT_IMPLEMENTED until CREATE exists and are not run here.
#
#   tests/interop/server_smbtorture.sh [BUILD_DIR]
set -eu

BUILD=${1:-build}
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
[ -x "$SIGNETD" ] || { echo "no $SIGNETD (build first)"; exit 2; }
command -v smbtorture >/dev/null || { echo "SKIP: smbtorture (samba-testsuite) not installed"; exit 77; }

WORK=$(mktemp -d /tmp/signet-interop-XXXXXX)
PID=
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

PORT=
for p in $(seq 4620 4649); do
    # bash probes the port; a refused connection means nobody listens there
    if bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null; then continue; fi
    PORT=$p
    break
done
[ -n "$PORT" ] || { echo "no free port in 4620-4649"; exit 1; }

cd "$WORK"
"$SIGNETD" --listen "127.0.0.1:$PORT" >stdout.txt 2>stderr.txt &
PID=$!
for _ in $(seq 50); do grep -q "ready:" stderr.txt 2>/dev/null && break; sleep 0.1; done
PASS=$(sed -n 's/^signetd demo: user demo, password \(.*\)$/\1/p' stdout.txt)
[ -n "$PASS" ] || { cat stderr.txt; echo "signetd did not start"; exit 1; }

FAILS=0
for t in smb2.session-require-signing smb2.session.two_logoff smb2.session.ntlmssp_bug14932 \
    smb2.credits.session_setup_credits_granted smb2.bench.echo; do
    out=$(timeout 60 smbtorture "//127.0.0.1/demo" -p "$PORT" -U "demo%$PASS" \
        --option=clientsigning=required --option=torture:timelimit=2 \
        --option=torture:nprocs=2 "$t" 2>&1 || true)
    if echo "$out" | grep -q "^success:"; then
        echo "ok   - $t"
    else
        echo "FAIL - $t"
        echo "$out" | grep -E "^(failure|error)|\.c:[0-9]+" | head -5
        FAILS=$((FAILS + 1))
    fi
done
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
[ "$rc" -eq 0 ] || { echo "FAIL - signetd exit $rc"; FAILS=$((FAILS + 1)); }
[ "$FAILS" -eq 0 ] && echo "all checks passed" || { echo "$FAILS check(s) failed"; exit 1; }
