#!/bin/sh
# Build the two Debian packages into a folder (default build-pkg/debs):
#   signet_VERSION_ARCH.deb   the client and tools: /usr/bin/signet, signet(1)
#   signetd_VERSION_ARCH.deb  the server: /usr/sbin/signetd, signetd.service,
#                             /etc/signet/signet.conf (no share), signetd(8),
#                             signet.conf(5)
#
#   sh scripts/package.sh [OUT_DIR]
#
# How: a release build in build-pkg (prefix /usr; configured once, then only
# rebuilt), `meson install` into a staging tree, split per package, and
# dpkg-deb. Why not debhelper (dpkg-buildpackage with dh --buildsystem=meson):
# it would build the whole tree again in its own directory on every run (the
# test suite builds the packages each time, on 2 CPUs) and add debhelper and
# its dependencies to the machine, for nothing these two packages need:
# `meson install` already lays the files out (so `meson install` and the
# packages cannot disagree), dpkg-shlibdeps computes the library dependencies,
# and the maintainer scripts are a few lines each.
#
# No `signetd` system user: signetd runs as root with a bounded capability
# set (signetd.service) because it must act as each logged-on user for file
# access (setresuid/setgroups per request, design.md "Identity"), which a
# dedicated unprivileged user could not do. The unit is installed but not
# enabled: `systemctl enable --now signetd` once a share and a user exist.
set -eu
cd "$(dirname "$0")/.."
out=${1:-build-pkg/debs}
build=build-pkg
if [ ! -f $build/build.ninja ]; then
    meson setup $build --buildtype=release --prefix=/usr -Dtests=false -Dbench=false >/dev/null
fi
ninja -C $build tools/signet tools/signetd >$build/ninja.log 2>&1 || { tail -n 30 $build/ninja.log; exit 1; }
version=$(sed -n "s/^ *version : '\([^']*\)'.*/\1/p" meson.build | head -n 1)
arch=$(dpkg --print-architecture)
stage=$build/stage
rm -rf "$stage" "$build/pkgroot"
DESTDIR=$PWD/$stage meson install -C $build --no-rebuild --quiet --strip >/dev/null
find "$stage/usr/share/man" -type f -exec gzip -9n {} +
mkdir -p "$out"

# dpkg-shlibdeps wants a debian/control to name the packages
shlibs() {
    mkdir -p "$build/pkgroot/shlibs/debian"
    printf 'Source: signet\n\nPackage: %s\nArchitecture: any\n' "$1" >"$build/pkgroot/shlibs/debian/control"
    (cd "$build/pkgroot/shlibs" && dpkg-shlibdeps -O "$2" 2>/dev/null) | sed -n 's/^shlibs:Depends=//p'
}

# pkg NAME DESCRIPTION-SYNOPSIS DESCRIPTION-BODY FILE... : the .deb of NAME with FILEs of the stage
pkg() {
    name=$1 synopsis=$2 body=$3
    shift 3
    root=$build/pkgroot/$name
    mkdir -p "$root/DEBIAN"
    for f in "$@"; do
        mkdir -p "$root/$(dirname "$f")"
        cp -a "$stage/$f" "$root/$f"
    done
    bin=$root/$(printf '%s\n' "$@" | grep -m 1 'bin/')
    depends=$(shlibs "$name" "$PWD/$bin")
    cat >"$root/DEBIAN/control" <<CONTROL
Package: $name
Version: $version
Architecture: $arch
Maintainer: Signet developers <signet@localhost>
Section: net
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
Homepage: https://example.invalid/signet
Description: $synopsis
$body
CONTROL
}

pkg signet "SMB2/SMB3 client and admin toolkit built around message signing" \
" signet lists, gets and puts files over SMB 2.0.2 to 3.1.1 with signing
 required by default, and probes, scans and explains the signing policy of
 SMB servers (probe, scan, doctor), manages signetd's users and
 configuration (user, config) and shows its sessions (status)." \
    usr/bin/signet usr/share/man/man1/signet.1.gz

pkg signetd "SMB2/SMB3 file server with signing required" \
" signetd serves POSIX directories over SMB 2.0.2 to 3.1.1, signs with
 HMAC-SHA256, AES-128-CMAC and AES-128-GMAC, enforces signing the way
 Windows does, encrypts SMB3 sessions on request, logs audit events 3021
 and 3022 to journald with structured fields and can export Prometheus
 metrics. This package ships the systemd unit and a default configuration
 without any share; see signetd(8)." \
    usr/sbin/signetd usr/share/man/man8/signetd.8.gz usr/share/man/man5/signet.conf.5.gz \
    etc/signet/signet.conf lib/systemd/system/signetd.service

d=$build/pkgroot/signetd/DEBIAN
echo /etc/signet/signet.conf >"$d/conffiles"
cat >"$d/postinst" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
    # the user database the default configuration names (signet user add)
    if [ ! -e /etc/signet/users ]; then
        (umask 077 && : >/etc/signet/users)
    fi
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload >/dev/null || true
    fi
fi
SCRIPT
cat >"$d/prerm" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
    systemctl stop signetd.service >/dev/null 2>&1 || true
    systemctl disable signetd.service >/dev/null 2>&1 || true
fi
SCRIPT
cat >"$d/postrm" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = purge ]; then
    rm -f /etc/signet/users
    rmdir /etc/signet 2>/dev/null || true
fi
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null || true
fi
SCRIPT
chmod 0755 "$d/postinst" "$d/prerm" "$d/postrm"
echo "Suggests: signetd" >>"$build/pkgroot/signet/DEBIAN/control"
echo "Recommends: signet" >>"$d/control"

for name in signet signetd; do
    dpkg-deb --root-owner-group -Zxz --build "$build/pkgroot/$name" \
        "$out/${name}_${version}_${arch}.deb" >/dev/null
    echo "$out/${name}_${version}_${arch}.deb"
done
