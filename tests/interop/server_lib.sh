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
