#!/bin/sh
# The README's first command: install the build dependencies, build Signet,
# and run signetd on its embedded default: a demo share and a demo user whose
# generated password it prints, on 127.0.0.1:4455, signing required.
# Extra arguments go to signetd (e.g. --config FILE, --listen ADDR:PORT).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh build
if [ ! -f build/build.ninja ]; then
    meson setup build -Dtests=false -Dbench=false >/dev/null
fi
ninja -C build >/dev/null
echo "signet: built build/tools/signetd and build/tools/signet"
exec build/tools/signetd "$@"
