#!/bin/sh
# The README's first command: install build dependencies, build Signet, and run
# it. Until signetd exists (issue "Server"), it builds everything and lists
# what it built.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh build
if [ ! -f build/build.ninja ]; then
    meson setup build -Dtests=false -Dbench=true >/dev/null
fi
ninja -C build >/dev/null
echo "signet: built in build/:"
find build -path build/meson-private -prune -o -type f \( -name '*.a' -o -perm -u+x \) -print |
    grep -v -e '/meson-' -e '\.p/' | sort | sed 's/^/  /'
echo "signet: the server (signetd) and client (signet) are not written yet; see README.md."
