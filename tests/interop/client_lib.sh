# Helpers for the client interop tests: start a standalone Samba smbd on
# loopback (ports 4500-4599), with every directory under a temp dir, and stop
# it by its pid. Source this file; see ../shared/peers.md.

SIGNET=${SIGNET:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build/tools/signet}
SMB_USER=${SMB_USER:-signetalice}
SMB_PASS=${SMB_PASS:-secret}

die() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# smbd_start DIR PORT SIGNING [EXTRA_GLOBAL_LINES] [GUEST:yes|no]
smbd_start() {
    local dir=$1 port=$2 signing=$3 extra=${4:-} guest=${5:-no}
    mkdir -p "$dir"/{private,lock,state,cache,pid,share,guest}
    chmod 777 "$dir/share" "$dir/guest"
    local map=never
    [ "$guest" = yes ] && map="bad user"
    cat >"$dir/smb.conf" <<CONF
[global]
  server role = standalone server
  smb ports = $port
  interfaces = 127.0.0.1
  bind interfaces only = yes
  disable netbios = yes
  private dir = $dir/private
  lock directory = $dir/lock
  state directory = $dir/state
  cache directory = $dir/cache
  pid directory = $dir/pid
  log file = $dir/log.smbd
  log level = 1
  passdb backend = tdbsam:$dir/private/passdb.tdb
  server signing = $signing
  server min protocol = SMB2_02
  map to guest = $map
  guest account = nobody
  load printers = no
  disable spoolss = yes
  printing = bsd
  printcap name = /dev/null
$extra
[share]
  path = $dir/share
  read only = no
[guest]
  path = $dir/guest
  read only = no
  guest ok = yes
  force user = nobody
CONF
    id "$SMB_USER" >/dev/null 2>&1 || useradd -M "$SMB_USER" 2>/dev/null || true
    printf '%s\n%s\n' "$SMB_PASS" "$SMB_PASS" | smbpasswd -c "$dir/smb.conf" -s -a "$SMB_USER" >/dev/null
    chown "$SMB_USER" "$dir/share"
    smbd -D -s "$dir/smb.conf" || die "smbd did not start"
    local i
    for i in $(seq 1 50); do
        [ -s "$dir/pid/smbd.pid" ] && (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0
        sleep 0.1
    done
    die "smbd on port $port is not listening (see $dir/log.smbd)"
}

smbd_stop() {
    local dir=$1 pid
    pid=$(cat "$dir/pid/smbd.pid" 2>/dev/null) || return 0
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    local i
    for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}
