#!/bin/sh
# signetd's Prometheus metrics (issue 14), scraped by a real Prometheus
# (Debian's, on loopback, every second, its storage in the work directory):
# signetd with `server signing = mandatory` and `metrics listen`; smbclient
# logs on three times with signing, impacket logs on and then sends a request
# unsigned (refused) and one with a wrong signature (refused), smbclient tries
# a wrong password; Prometheus' HTTP API (/api/v1/query) must then show
# signet_sessions_total +3 or more, signet_unsigned_requests_refused_total,
# signet_signature_failures_total and signet_logons_failed_total +1 each,
# and READ bytes and requests by command moving. `promtool check metrics`
# accepts the exposition; a wrong path is 404 and a POST 405.
#
#   tests/interop/service_metrics.sh [BUILD_DIR]
#
# Ports 4330-4349 (SMB, metrics, Prometheus). Every process started here is
# stopped by its pid.
set -eu
BUILD=${1:-build}
SIGNETD=$(realpath "$BUILD/tools/signetd" 2>/dev/null || echo "$BUILD/tools/signetd")
[ -x "$SIGNETD" ] || { echo "no $SIGNETD (build first)"; exit 2; }
for c in prometheus promtool curl smbclient; do
    command -v $c >/dev/null || { echo "SKIP: no $c (sh scripts/deps.sh test)"; exit 77; }
done
/usr/bin/python3 -c 'import impacket' 2>/dev/null || { echo "SKIP: no impacket"; exit 77; }

. "$(dirname "$0")/server_lib.sh"
srv_lib_init 4330 4335 PID PROM HELD
SMB=$PORT
free_port() { # the first free port of $1..$2
    for p in $(seq "$1" "$2"); do
        bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null || { echo "$p"; return; }
    done
    echo "no free port in $1-$2" >&2
    exit 1
}
METRICS=$(free_port 4336 4340)
PROMPORT=$(free_port 4341 4349)
cd "$WORK"
mkdir share
head -c 1048576 /dev/urandom >share/one-mib.bin
srv_lib_add_user alice secret
cat >signet.conf <<CONF
[global]
  listen = 127.0.0.1:$SMB
  metrics listen = 127.0.0.1:$METRICS
  server signing = mandatory
  server smb encrypt = off
  user database = $WORK/users
  admin socket = $WORK/admin.sock
  invalid authentication delay = 0
[share]
  path = $WORK/share
CONF
srv_lib_start_signetd signet.conf
grep -q "metrics on http://127.0.0.1:$METRICS/metrics" stderr.txt && ok "signetd: metrics on 127.0.0.1:$METRICS" ||
    bad "no metrics line: $(cat stderr.txt)"

if curl -sf "http://127.0.0.1:$METRICS/metrics" >first.txt && promtool check metrics <first.txt >promtool.txt 2>&1; then
    ok "promtool check metrics accepts the exposition ($(grep -c '^# TYPE' first.txt) metrics)"
else
    bad "promtool check metrics: $(head -n 5 promtool.txt)"
fi
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$METRICS/nothing")
[ "$code" = 404 ] && ok "GET /nothing: 404" || bad "GET /nothing: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x=1 "http://127.0.0.1:$METRICS/metrics")
[ "$code" = 405 ] && ok "POST /metrics: 405" || bad "POST /metrics: $code"

cat >prometheus.yml <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: signet
    static_configs:
      - targets: ['127.0.0.1:$METRICS']
YML
prometheus --config.file=prometheus.yml --storage.tsdb.path="$WORK/prom" \
    --web.listen-address="127.0.0.1:$PROMPORT" --log.level=warn >prom.txt 2>&1 &
PROM=$!
# query EXPR: the value of the instant vector's single sample (sum() wrapped), "" if none
query() {
    curl -s --get "http://127.0.0.1:$PROMPORT/api/v1/query" --data-urlencode "query=$1" |
        python3 -c 'import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")' 2>/dev/null || true
}
up=""
for _ in $(seq 150); do
    up=$(query 'up{job="signet"}')
    [ "$up" = 1 ] && break
    sleep 0.2
done
[ "$up" = 1 ] && ok "Prometheus scrapes signetd (up = 1)" || { bad "Prometheus: up = '$up': $(tail -n 5 prom.txt)"; exit 1; }

# the last scraped value of EXPR (a scrape every second: wait for a new one)
settle() { sleep 2.5; }
before_sessions=$(query 'signet_sessions_total')
before_unsigned=$(query 'signet_unsigned_requests_refused_total')
before_bad=$(query 'signet_signature_failures_total')
before_failed=$(query 'signet_logons_failed_total')
before_read=$(query 'signet_read_bytes_total')

for i in 1 2 3; do
    smbclient //127.0.0.1/share -p "$SMB" -U alice%secret -m SMB3_11 --client-protection=sign \
        -c "get one-mib.bin got-$i.bin" >smb-$i.txt 2>&1 || bad "smbclient $i: $(tail -n 2 smb-$i.txt)"
done
cmp -s share/one-mib.bin got-3.bin && ok "three signed smbclient sessions read one-mib.bin" ||
    bad "smbclient get: files differ"
# impacket logs on (signing required), then signs nothing, then signs wrong
timeout 60 /usr/bin/python3 -c 'import sys
from impacket.smbconnection import SMBConnection
def attempt(what, tweak):
    c = SMBConnection("SIGNET", "127.0.0.1", sess_port=int(sys.argv[1]))
    c.login("alice", "secret")
    tweak(c._SMBConnection._Session)
    try:
        c.connectTree("share")
        print(what, "accepted")
    except Exception as e:
        print(what, "refused:", e)
attempt("unsigned", lambda s: s.__setitem__("SigningActivated", False))
attempt("bad-signature", lambda s: s.__setitem__("SigningKey", bytes(16)))' "$SMB" >impacket.txt 2>&1 || true
grep -q "unsigned refused: .*STATUS_ACCESS_DENIED" impacket.txt && ok "an unsigned TREE_CONNECT is refused" ||
    bad "unsigned: $(cat impacket.txt)"
smbclient //127.0.0.1/share -p "$SMB" -U alice%wrong -m SMB3_11 -c ls >wrong.txt 2>&1 || true
grep -q NT_STATUS_LOGON_FAILURE wrong.txt && ok "a wrong password: NT_STATUS_LOGON_FAILURE" ||
    bad "wrong password: $(tail -n 2 wrong.txt)"
settle

# delta NAME BEFORE MIN: the counter moved by at least MIN
delta() {
    now=$(query "$1")
    d=$(python3 -c 'import sys; print(int(float(sys.argv[1] or 0) - float(sys.argv[2] or 0)))' "$now" "$2")
    if [ "$d" -ge "$3" ]; then ok "Prometheus: $1 $2 -> $now (+$d)"; else bad "Prometheus: $1 $2 -> $now (want +$3)"; fi
}
delta signet_sessions_total "$before_sessions" 5
delta signet_unsigned_requests_refused_total "$before_unsigned" 1
delta signet_signature_failures_total "$before_bad" 1
delta signet_logons_failed_total "$before_failed" 1
delta signet_read_bytes_total "$before_read" 3145728
v=$(query 'signet_requests_total{command="READ"}')
[ -n "$v" ] && [ "${v%.*}" -ge 3 ] && ok "Prometheus: signet_requests_total{command=\"READ\"} = $v" ||
    bad "requests READ: '$v'"
v=$(query 'signet_request_errors_total{command="TREE_CONNECT"}')
[ -n "$v" ] && [ "${v%.*}" -ge 2 ] && ok "Prometheus: signet_request_errors_total{command=\"TREE_CONNECT\"} = $v (the two refused)" ||
    bad "errors TREE_CONNECT: '$v'"
v=$(query 'signet_request_duration_seconds_count{command="READ"}')
[ -n "$v" ] && [ "${v%.*}" -ge 3 ] && ok "Prometheus: READ latency histogram, $v observations" ||
    bad "histogram READ: '$v'"
# a session held open shows in the gauge, labelled
hold() { echo ls; sleep 4; echo quit; }
hold | smbclient //127.0.0.1/share -p "$SMB" -U alice%secret -m SMB3_11 --client-protection=sign >held.txt 2>&1 &
HELD=$!
settle
v=$(query 'signet_sessions{dialect="3.1.1",signing="AES-128-GMAC",cipher="none",auth="ntlm"}')
[ "$v" = 1 ] && ok "Prometheus: signet_sessions{dialect=\"3.1.1\",signing=\"AES-128-GMAC\",cipher=\"none\",auth=\"ntlm\"} = 1 while smbclient stays" ||
    bad "sessions gauge: '$v' ($(curl -s "http://127.0.0.1:$METRICS/metrics" | grep '^signet_sessions{'))"
wait "$HELD" 2>/dev/null || true
[ "$FAILS" -eq 0 ]
