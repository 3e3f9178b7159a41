# shellcheck shell=sh
# Shared by the server_*.sh interop scripts (sourced, so not executable): a
# temporary work directory, a cleanup that stops the script's processes by
# pid, a free port in the script's range, and the check reporters.
#
#   srv_lib_init LOW HIGH PIDVAR...
#     WORK     a new directory under /tmp, removed on exit
#     PORT     the first port of LOW..HIGH on 127.0.0.1 that nobody listens on
#     PIDVARS  the named variables are emptied now; on EXIT, INT or TERM each
#              process whose pid one of them then holds is stopped and reaped
#     FAILS    0; bad() counts failed checks, ok() and bad() print check lines
#
#   srv_lib_add_user NAME PASSWORD
#     appends NAME's NT hash to ./users (signetd's user database, mode 0600)
#   srv_lib_start_signetd CONFIG
#     starts $SIGNETD --config CONFIG in the foreground with its log in
#     ./stderr.txt, sets PID, and waits until it is ready (exit 1 if not)
#   srv_lib_finish [FILE...]
#     the closing checks (signetd still running, no sanitizer report in its
#     log, exit 0 on SIGTERM); then, if any check failed, prints the FILEs
#     and the log's tail and exits 1, else says so and returns

srv_lib_init() {
    srv_lib_low=$1
    srv_lib_high=$2
    shift 2
    srv_lib_pid_vars="$*"
    for v in $srv_lib_pid_vars; do eval "$v="; done
    WORK=$(mktemp -d /tmp/signet-interop-XXXXXX)
    trap srv_lib_cleanup EXIT INT TERM
    PORT=
    for p in $(seq "$srv_lib_low" "$srv_lib_high"); do
        # bash probes the port; a refused connection means nobody listens there
        if bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null; then continue; fi
        PORT=$p
        break
    done
    [ -n "$PORT" ] || { echo "no free port in $srv_lib_low-$srv_lib_high"; exit 1; }
    FAILS=0
}

srv_lib_cleanup() {
    for v in $srv_lib_pid_vars; do
        eval "p=\${$v:-}"
        if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
            kill "$p"
            wait "$p" 2>/dev/null || true
        fi
    done
    chmod -R u+w "$WORK" 2>/dev/null || true
    rm -rf "$WORK"
}

ok() { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; FAILS=$((FAILS + 1)); }

srv_lib_add_user() {
    hash=$(printf '%s' "$2" | iconv -t UTF-16LE | openssl dgst -md4 -provider legacy -provider default |
        sed 's/.*= //' | tr a-f A-F)
    printf '%s:%s\n' "$1" "$hash" >>users
    chmod 600 users
}

srv_lib_start_signetd() {
    "$SIGNETD" --config "$1" --foreground 2>stderr.txt &
    # shellcheck disable=SC2034 # PID is read by the calling script and by srv_lib_cleanup
    PID=$!
    for _ in $(seq 50); do grep -q "ready:" stderr.txt 2>/dev/null && break; sleep 0.1; done
    grep -q "ready:" stderr.txt || { cat stderr.txt; echo "signetd did not start"; exit 1; }
}

srv_lib_finish() {
    if kill -0 "$PID"; then ok "signetd still running"; else bad "signetd died"; fi
    if grep -qiE "asan|runtime error|sanitizer" stderr.txt; then
        bad "sanitizer report in signetd's log"
    else
        ok "no sanitizer report in signetd's log"
    fi
    kill -TERM "$PID"
    srv_lib_rc=0
    wait "$PID" || srv_lib_rc=$?
    PID=
    if [ "$srv_lib_rc" -eq 0 ]; then ok "SIGTERM: exit 0"; else bad "SIGTERM: exit $srv_lib_rc"; fi
    if [ "$FAILS" -ne 0 ]; then
        for f in "$@"; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done
        echo "--- signetd stderr (tail)"
        tail -n 40 stderr.txt
        echo "$FAILS check(s) failed"
        exit 1
    fi
    echo "all checks passed"
}
