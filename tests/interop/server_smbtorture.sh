#!/bin/sh
# signetd against Samba's conformance suite (peers.md): every test listed
# below must pass (the script fails if one does not).
#
# Known failures, not listed (smbtorture 4.17.12):
#  - smb2.compound.related1, related2, invalid2: smbtorture itself segfaults
#    (in smb2cli_session_set_id_and_flags on a NULL session copy) before it
#    sends the compound;
#  - smb2.lock.valid-request, unlock, async, cancel*, multiple-unlock,
#    stacking, replay*: blocking locks are not held pending (no interim
#    STATUS_PENDING responses, no CANCEL of a waiting lock), and Samba's
#    lock-flag edge cases are not mirrored;
#  - smb2.getinfo.complex, normalized, getinfo_access: named streams, EAs and
#    case-insensitive names are not supported;
#  - smb2.rename share-mode cases, smb2.setinfo, smb2.dir.one, smb2.create.open and the ACL tests,
#    smb2.delete-on-close-perms (but BUG14427): share modes and ACLs are not
#    enforced, and POSIX cannot set creation times.
#
#   tests/interop/server_smbtorture.sh [BUILD_DIR]
set -eu

BUILD=${1:-build}
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
[ -x "$SIGNETD" ] || { echo "no $SIGNETD (build first)"; exit 2; }
command -v smbtorture >/dev/null || { echo "SKIP: smbtorture (samba-testsuite) not installed"; exit 77; }

. "$(dirname "$0")/server_lib.sh"
srv_lib_init 4620 4649 PID

cd "$WORK"
"$SIGNETD" --listen "127.0.0.1:$PORT" >stdout.txt 2>stderr.txt &
PID=$!
for _ in $(seq 50); do grep -q "ready:" stderr.txt 2>/dev/null && break; sleep 0.1; done
PASS=$(sed -n 's/^signetd demo: user demo, password \(.*\)$/\1/p' stdout.txt)
[ -n "$PASS" ] || { cat stderr.txt; echo "signetd did not start"; exit 1; }

FAILS=0
for t in smb2.session-require-signing smb2.session.two_logoff smb2.session.ntlmssp_bug14932 \
    smb2.credits.session_setup_credits_granted smb2.bench.echo \
    smb2.connect smb2.read.eof smb2.read.position smb2.read.dir smb2.read.access \
    smb2.dir.find smb2.dir.fixed smb2.dir.many smb2.dir.sorted \
    smb2.compound.related3 smb2.compound.unrelated1 smb2.compound.invalid1 \
    smb2.compound.invalid3 smb2.compound.invalid4 smb2.compound.create-write-close \
    smb2.compound_find smb2.rename.simple smb2.rename.simple_nodelete smb2.rename.no_sharing \
    smb2.rename.msword smb2.rename.share_delete_no_delete_access \
    smb2.rename.close-full-information smb2.sharemode.bug14375 smb2.lock.rw-exclusive smb2.create.multi smb2.create.delete \
    smb2.create.leading-slash smb2.create.brlocked smb2.create.mkdir-dup \
    smb2.create.dir-alloc-size smb2.create.dosattr_tmp_dir smb2.dir.large-files \
    smb2.rw.rw1 smb2.rw.rw2 smb2.credits.single_req_credits_granted smb2.credits.skipped_mid \
    smb2.getinfo.granted smb2.getinfo.fsinfo smb2.getinfo.qfs_buffercheck \
    smb2.getinfo.qfile_buffercheck smb2.getinfo.qsec_buffercheck \
    smb2.lock.rw-shared smb2.lock.auto-unlock smb2.lock.lock \
    smb2.lock.errorcode smb2.lock.zerobytelength smb2.lock.zerobyteread smb2.lock.contend \
    smb2.lock.context smb2.lock.range smb2.lock.overlap smb2.lock.truncate \
    smb2.delete-on-close-perms.BUG14427; do
    out=$(timeout 60 smbtorture "//127.0.0.1/demo" -p "$PORT" -U "demo%$PASS" \
        --option=clientsigning=required --option=torture:timelimit=2 \
        --option=torture:nprocs=2 "$t" 2>&1 || true)
    if echo "$out" | grep -q "^success:" && ! echo "$out" | grep -Eq "^(failure|error):"; then
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
