#!/bin/sh
# Install what Signet needs on Debian 12: `scripts/deps.sh build` for building,
# `scripts/deps.sh test` for building and testing (the peers of the interop
# suite included), `scripts/deps.sh bench` for the benchmarks and campaigns
# too (iperf3; Samba's acl_xattr/streams_xattr for scripts/torture_compare.sh). As root it runs apt-get; otherwise it prints the exact
# command to run and exits 1. Packages already installed are not touched.
set -eu

BUILD_PKGS="gcc pkg-config meson ninja-build libssl-dev libuv1-dev libinih-dev
  libsystemd-dev libmicrohttpd-dev"
# dpkg-dev, man-db, systemd, prometheus: tests/interop/service_*.sh (build and
# install the .debs, man -w, systemd-analyze verify, a real Prometheus).
TEST_PKGS="$BUILD_PKGS libcmocka-dev libjson-c-dev clang libclang-rt-14-dev python3
  samba smbclient samba-testsuite python3-impacket nmap tshark iproute2 procps
  dpkg-dev man-db systemd prometheus curl util-linux"
BENCH_PKGS="$TEST_PKGS iperf3 samba-vfs-modules bc"

case "${1:-build}" in
build) want=$BUILD_PKGS ;;
test) want=$TEST_PKGS ;;
bench) want=$BENCH_PKGS ;;
*)
    echo "usage: $0 build|test|bench" >&2
    exit 2
    ;;
esac

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

# libsystemd-dev must match the libsystemd0 already installed: a newer one
# pulls a newer libsystemd0, which drags systemd itself along (a systemd
# upgrade is not ours to make on someone's machine).
sd_ver=$(dpkg-query -W -f='${Version}' libsystemd0 2>/dev/null || true)
if [ -n "$sd_ver" ]; then
    missing=$(echo "$missing" | sed "s/ libsystemd-dev\b/ libsystemd-dev=$sd_ver/")
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "signet: missing packages:$missing" >&2
    echo "signet: install them with:" >&2
    echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y$missing" >&2
    exit 1
fi
echo "signet: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
