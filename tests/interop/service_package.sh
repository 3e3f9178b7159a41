#!/bin/sh
# The Debian packages on this machine (issue 14): scripts/package.sh builds
# signet_*.deb and signetd_*.deb; `dpkg -i` installs them; the installed
# programs run (`signetd --version`), `man -w` finds every page, the default
# /etc/signet/signet.conf loads (no share served) with its user database
# created 0600, `systemd-analyze verify` accepts signetd.service; then
# `dpkg -P` removes them and nothing of theirs is left. Skipped (77) when a
# signet package or /etc/signet is already on the machine: it is not ours
# to replace or purge.
#
#   tests/interop/service_package.sh [BUILD_DIR]   (the packages come from
#                                                   build-pkg, a release build)
#
# Ports 4300-4309. Every process started here is stopped by its pid.
set -eu
cd "$(dirname "$0")/../.."
ROOT=$PWD
[ "$(id -u)" -eq 0 ] || { echo "SKIP: dpkg -i needs root"; exit 77; }
for c in dpkg-deb dpkg-shlibdeps man systemd-analyze; do
    command -v $c >/dev/null || { echo "SKIP: no $c (sh scripts/deps.sh test)"; exit 77; }
done
for p in signet signetd; do
    if dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -q installed; then
        echo "SKIP: package $p is already installed here; not replacing it"
        exit 77
    fi
done
[ ! -e /etc/signet ] || { echo "SKIP: /etc/signet exists; the package would take it over"; exit 77; }

. "$ROOT/tests/interop/server_lib.sh"
srv_lib_init 4300 4309 PID
purge() {
    dpkg -P signetd signet >"$WORK/purge.txt" 2>&1 || true
}
# installed packages are removed whatever happens
trap 'purge; srv_lib_cleanup' EXIT INT TERM

start=$(date +%s)
if debs=$(sh scripts/package.sh "$WORK/debs" 2>&1); then
    ok "scripts/package.sh built $(echo "$debs" | xargs -n 1 basename | tr '\n' ' ')in $(($(date +%s) - start)) s"
else
    bad "scripts/package.sh: $debs"
    exit 1
fi
version=$(sed -n "s/^ *version : '\([^']*\)'.*/\1/p" meson.build | head -n 1)

if dpkg -i "$WORK"/debs/signet_*.deb "$WORK"/debs/signetd_*.deb >"$WORK/install.txt" 2>&1; then
    ok "dpkg -i signet signetd"
else
    bad "dpkg -i: $(tail -n 5 "$WORK/install.txt")"
    exit 1
fi
for p in signet signetd; do
    st=$(dpkg-query -W -f='${Status} ${Version}' $p 2>/dev/null || true)
    [ "$st" = "install ok installed $version" ] && ok "dpkg: $p $version installed" || bad "dpkg: $p: $st"
done

out=$(/usr/sbin/signetd --version 2>&1 || true)
[ "$out" = "signetd $version" ] && ok "/usr/sbin/signetd --version: $out" || bad "signetd --version: $out"
out=$(/usr/bin/signet --version 2>&1 || true)
[ "$out" = "signet $version" ] && ok "/usr/bin/signet --version: $out" || bad "signet --version: $out"

for page in signetd signet.conf signet; do
    where=$(man -w "$page" 2>&1 || true)
    case $where in
    /usr/share/man/man[158]/"$page".[158].gz) ok "man -w $page: $where" ;;
    *) bad "man -w $page: $where" ;;
    esac
done
# the page renders, and says what the unit does
man signetd 2>/dev/null | tr -s " \n" "  " | grep -q "systemctl enable --now signetd" &&
    ok "man signetd renders, with the systemd section" || bad "man signetd: no systemd section"

unit=/lib/systemd/system/signetd.service
if out=$(systemd-analyze verify "$unit" 2>&1) && [ -z "$out" ]; then
    ok "systemd-analyze verify $unit: no complaint"
else
    bad "systemd-analyze verify: $out"
fi
grep -q '^ExecStart=/usr/sbin/signetd --config /etc/signet/signet.conf --foreground$' "$unit" &&
    grep -q '^Type=notify$' "$unit" && ok "unit: Type=notify, ExecStart of the installed paths" ||
    bad "unit: $(grep -E '^(Type|ExecStart)=' "$unit")"

m=$(stat -c %a /etc/signet/users 2>/dev/null || echo none)
[ "$m" = 600 ] && ok "postinst: /etc/signet/users, mode 0600" || bad "/etc/signet/users mode $m"
[ "$(dpkg-query -W -f='${Conffiles}' signetd | awk '{print $1}' | tr -d '\n')" = /etc/signet/signet.conf ] &&
    ok "/etc/signet/signet.conf is a conffile" || bad "conffiles: $(dpkg-query -W -f='${Conffiles}' signetd)"

# The installed default configuration loads and serves no share. Its admin
# socket is moved into WORK (the default, /run/signetd, would outlive us).
cp /etc/signet/signet.conf "$WORK/signet.conf"
echo "  admin socket = $WORK/admin.sock" >>"$WORK/signet.conf"
cd "$WORK"
/usr/sbin/signetd --config signet.conf --foreground --listen "127.0.0.1:$PORT" 2>stderr.txt &
PID=$!
for _ in $(seq 50); do grep -q "ready:" stderr.txt 2>/dev/null && break; sleep 0.1; done
if grep -q "ready: server signing = mandatory" stderr.txt; then
    ok "the default signet.conf loads: $(grep -o 'ready: .*' stderr.txt)"
else
    bad "default config: $(cat stderr.txt)"
fi
out=$(smbclient -L "//127.0.0.1" -p "$PORT" -U nobody%x -m SMB3_11 2>&1 || true)
echo "$out" | grep -q NT_STATUS_LOGON_FAILURE && ok "no user yet: logons fail (NT_STATUS_LOGON_FAILURE)" ||
    bad "logon with the empty user database: $out"
kill "$PID"
wait "$PID" 2>/dev/null || true
PID=
cd "$ROOT"

if dpkg -P signetd signet >"$WORK/purge.txt" 2>&1; then
    ok "dpkg -P signetd signet"
else
    bad "dpkg -P: $(tail -n 5 "$WORK/purge.txt")"
fi
left=""
for f in /usr/sbin/signetd /usr/bin/signet /etc/signet /lib/systemd/system/signetd.service \
    /usr/share/man/man8/signetd.8.gz /usr/share/man/man1/signet.1.gz; do
    [ -e "$f" ] && left="$left $f"
done
[ -z "$left" ] && ok "nothing left after the purge" || bad "left after the purge:$left"
for p in signet signetd; do
    dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -q "ok installed" && bad "$p still installed" ||
        ok "$p no longer installed"
done
[ "$FAILS" -eq 0 ]
