# Real traffic on loopback for the capture tests.  POSIX sh.
#
# Sourced by a test after tests/lib.sh (uses $T, $PYTHON3, $WH_TOP_SRCDIR):
#   . "$WH_TOP_SRCDIR/tests/tools/traffic.sh"
#   traffic_http "$T/http.pcap"   # sets HTTP_PORT (nginx) and BACKEND_PORT
#   traffic_dns  "$T/dns.pcap"    # sets DNS_PORT (dnsmasq)
#   traffic_all  "$T/all.pcap"    # both
# HTTP_EXPECTED, DNS_EXPECTED_UDP and DNS_EXPECTED_TCP say how many
# transactions the clients made.
# or run by hand:
#   sh tests/tools/traffic.sh http OUT.pcap   # prints HTTP_PORT=.. BACKEND_PORT=..
#   sh tests/tools/traffic.sh dns OUT.pcap    # prints DNS_PORT=..
#   sh tests/tools/traffic.sh all OUT.pcap    # both in one capture
#
# Everything stays on 127.0.0.1: servers listen there only, on random free
# ports, every client talks to them, and tcpdump captures on `lo` with a
# BPF filter on those ports.  Servers and tcpdump are started here and
# killed when the traffic is done or the shell exits.
#
# `need PKG...` installs missing Debian packages (as root, quietly).

if [ -n "${WH_TOP_SRCDIR:-}" ]; then
  TRAFFIC_TOOLS=$WH_TOP_SRCDIR/tests/tools
else
  TRAFFIC_TOOLS=$(cd "$(dirname "$0")" && pwd)
fi
TRAFFIC_PY=${PYTHON3:-/usr/bin/python3}
TRAFFIC_PIDS=
TRAFFIC_CAP_PID=

# need PKG...: apt-get installs the packages that are not installed.
need() {
  _missing=
  for _p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$_p" 2>/dev/null | grep -q ' installed$' ||
      _missing="$_missing $_p"
  done
  [ -z "$_missing" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "traffic.sh: missing packages:$_missing (run as root to install them)" >&2
    return 1
  fi
  echo "traffic.sh: installing$_missing" >&2
  echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $_missing \
      >/dev/null 2>&1 ||
    { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $_missing \
        >/dev/null 2>&1; } ||
    { echo "traffic.sh: could not install$_missing" >&2; return 1; }
}

# need_cmd CMD:PKG...: like need, for commands that may come from other packages.
need_cmd() {
  _pk=
  for _cp in "$@"; do
    command -v "${_cp%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${_cp%%:*}" ] || _pk="$_pk ${_cp#*:}"
  done
  # shellcheck disable=SC2086
  [ -z "$_pk" ] || need $_pk
}

traffic_need() {
  need_cmd tcpdump:tcpdump tshark:tshark curl:curl
  case "$1" in
    http) need_cmd nginx:nginx-light ;;
    dns) need_cmd dnsmasq:dnsmasq-base dig:bind9-dnsutils ;;
  esac
}

# Kills what this file started; chained before lib.sh's cleanup.
traffic_cleanup() {
  if [ -n "$TRAFFIC_CAP_PID" ]; then
    kill -INT "$TRAFFIC_CAP_PID" 2>/dev/null || :
    wait "$TRAFFIC_CAP_PID" 2>/dev/null || :
    TRAFFIC_CAP_PID=
  fi
  for _pid in $TRAFFIC_PIDS; do
    kill "$_pid" 2>/dev/null || :
  done
  for _pid in $TRAFFIC_PIDS; do
    wait "$_pid" 2>/dev/null || :
  done
  TRAFFIC_PIDS=
}
if command -v cleanup >/dev/null 2>&1; then
  # shellcheck disable=SC2154
  trap '_trc=$?; traffic_cleanup; (exit $_trc); cleanup' EXIT
else
  trap 'traffic_cleanup' EXIT
fi
trap 'exit 130' INT TERM

# free_ports N: N distinct random ports free for TCP and UDP on 127.0.0.1,
# below the kernel's ephemeral range so clients never collide with them.
free_ports() {
  "$TRAFFIC_PY" - "$1" <<'PY'
import random, socket, sys
want, got = int(sys.argv[1]), []
while len(got) < want:
    p = random.randint(20000, 32000)
    if p in got:
        continue
    ok = True
    for t in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, t)
        try:
            s.bind(("127.0.0.1", p))
        except OSError:
            ok = False
        finally:
            s.close()
    if ok:
        got.append(p)
print(" ".join(map(str, got)))
PY
}

# wait_tcp PORT: until something accepts on 127.0.0.1:PORT (10 s).
wait_tcp() {
  "$TRAFFIC_PY" - "$1" <<'PY' || { echo "traffic.sh: nothing listens on port $1" >&2; return 1; }
import socket, sys, time
end = time.time() + 10
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}

# _cap_sync FILE PORT: sends an empty UDP datagram to 127.0.0.1:PORT (in the
# filter, nobody listens) until FILE grows, i.e. tcpdump has written every
# packet sent before it.  Empty, so it cannot look like DNS or HTTP.
_cap_sync() {
  "$TRAFFIC_PY" - "$1" "$2" <<'PY' || { echo "traffic.sh: tcpdump does not write $1" >&2; return 1; }
import os, socket, sys, time
path, port = sys.argv[1], int(sys.argv[2])
size = lambda: os.path.getsize(path) if os.path.exists(path) else 0
before = size()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.time() + 10
while time.time() < end:
    s.sendto(b"", ("127.0.0.1", port))
    t = time.time() + 0.5
    while time.time() < t:
        if size() > max(before, 24):
            sys.exit(0)
        time.sleep(0.02)
sys.exit(1)
PY
}

# capture_start FILE FILTER: tcpdump on lo into FILE; returns when packets
# matching FILTER are being written.
capture_start() {
  TRAFFIC_CAP_FILE=$1
  TRAFFIC_SYNC_PORT=$(free_ports 1)
  rm -f "$1"
  tcpdump -i lo -n -U --immediate-mode -s 262144 -B 65536 -w "$1" \
    "($2) or (udp and dst port $TRAFFIC_SYNC_PORT)" 2>"$1.tcpdump.log" &
  TRAFFIC_CAP_PID=$!
  _n=0
  until grep -q 'listening on' "$1.tcpdump.log" 2>/dev/null; do
    _n=$((_n + 1))
    if [ "$_n" -gt 200 ] || ! kill -0 "$TRAFFIC_CAP_PID" 2>/dev/null; then
      cat "$1.tcpdump.log" >&2
      echo "traffic.sh: tcpdump did not start" >&2
      return 1
    fi
    sleep 0.05
  done
  _cap_sync "$1" "$TRAFFIC_SYNC_PORT"
}

# capture_stop: waits until every packet sent so far is in the file, then
# stops tcpdump with SIGINT so that it flushes and closes the file.
capture_stop() {
  # The last FIN/ACKs of closing connections: wait until the file has not
  # grown for 0.6 s (a loaded machine closes slowly), 8 s at most.
  _last=-1 _still=0 _n=0
  while [ "$_still" -lt 3 ] && [ "$_n" -lt 40 ]; do
    sleep 0.2
    _size=$(wc -c < "$TRAFFIC_CAP_FILE" 2>/dev/null || echo 0)
    if [ "$_size" = "$_last" ]; then _still=$((_still + 1)); else _still=0; fi
    _last=$_size _n=$((_n + 1))
  done
  _cap_sync "$TRAFFIC_CAP_FILE" "$TRAFFIC_SYNC_PORT"
  kill -INT "$TRAFFIC_CAP_PID"
  wait "$TRAFFIC_CAP_PID" || :
  TRAFFIC_CAP_PID=
  # a capture that misses packets would make every comparison fail
  grep -q '^0 packets dropped by kernel' "$TRAFFIC_CAP_FILE.tcpdump.log" ||
    { cat "$TRAFFIC_CAP_FILE.tcpdump.log" >&2; echo "traffic.sh: tcpdump missed packets" >&2; return 1; }
}

_bg() { "$@" & TRAFFIC_PIDS="$TRAFFIC_PIDS $!"; }

# ---------------------------------------------------------------- HTTP

# The static files served by nginx under $1.
_http_files() {
  mkdir -p "$1"
  printf '<html><body>wirehook index</body></html>\n' >"$1/index.html"
  printf 'small file\n' >"$1/small.txt"
  "$TRAFFIC_PY" - "$1/big.txt" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(6000):
        f.write("line %05d: the quick brown fox jumps over the lazy dog\n" % i)
PY
  head -c 150000 "$1/big.txt" >"$1/post.bin"
}

http_servers_start() {
  # shellcheck disable=SC2046
  set -- $(free_ports 2)
  HTTP_PORT=$1 BACKEND_PORT=$2
  _ng=$T/nginx
  mkdir -p "$_ng/tmp"
  _http_files "$_ng/www"
  cat >"$_ng/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $_ng/nginx.pid;
error_log $_ng/error.log warn;
events { worker_connections 128; }
http {
  access_log off;
  client_body_temp_path $_ng/tmp/body;
  proxy_temp_path $_ng/tmp/proxy;
  fastcgi_temp_path $_ng/tmp/fastcgi;
  uwsgi_temp_path $_ng/tmp/uwsgi;
  scgi_temp_path $_ng/tmp/scgi;
  types { text/html html; text/plain txt; application/octet-stream bin; }
  default_type application/octet-stream;
  keepalive_requests 1000;
  server_tokens off;
  server {
    listen 127.0.0.1:$HTTP_PORT;
    root $_ng/www;
    gzip on;
    gzip_types text/plain;
    gzip_min_length 1000;
    location = /err { return 500; }
    location /backend/ {
      proxy_pass http://127.0.0.1:$BACKEND_PORT/;
      proxy_http_version 1.1;
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
EOF
  _bg nginx -e "$_ng/error.log" -p "$_ng" -c "$_ng/nginx.conf"
  _bg "$TRAFFIC_PY" "$TRAFFIC_TOOLS/http_backend.py" "$BACKEND_PORT"
  wait_tcp "$HTTP_PORT" && wait_tcp "$BACKEND_PORT"
}

# The client side.  HTTP_EXPECTED is set to the number of HTTP transactions
# (request/response pairs, 1xx not counted) this produces on the wire,
# including nginx's proxied requests to the backend.
http_clients() {
  _n="http://127.0.0.1:$HTTP_PORT"
  _b="http://127.0.0.1:$BACKEND_PORT"
  _c="curl -sS --max-time 10"
  _www=$T/nginx/www
  # keep-alive: several URLs on one connection (nginx: 404, 500, large file)
  $_c "$_n/" "$_n/small.txt" "$_n/missing" "$_n/err" "$_n/big.txt" "$_n/index.html" >/dev/null
  # keep-alive on the backend: chunked, 204, 304, 500, 404, close-delimited last
  $_c "$_b/chunked" "$_b/chunked?n=40" "$_b/status/204" "$_b/status/304" \
    "$_b/status/500" "$_b/nothing" "$_b/text?size=70000" "$_b/close" >/dev/null
  # gzip / deflate (nginx gzips big.txt chunked; the backend with Content-Length)
  $_c --compressed "$_n/big.txt" >/dev/null
  $_c --compressed "$_b/gzip" "$_b/deflate" "$_b/chunked-gzip" >/dev/null
  # POST bodies: form, JSON through nginx's proxy, chunked request body
  $_c -d 'a=1&b=two&c=%20x' "$_b/echo" >/dev/null
  $_c -H 'Content-Type: application/json' --data-binary '{"sku":"A-1","n":2}' \
    "$_n/backend/echo" >/dev/null
  $_c -H 'Transfer-Encoding: chunked' --data-binary @"$_www/small.txt" "$_b/echo" >/dev/null
  # Expect: 100-continue with a large body, direct and through nginx
  $_c -H 'Expect: 100-continue' --data-binary @"$_www/post.bin" "$_b/echo" >/dev/null
  $_c -H 'Expect: 100-continue' --data-binary @"$_www/post.bin" "$_n/backend/echo" >/dev/null
  # HEAD
  $_c -I "$_n/big.txt" >/dev/null
  $_c -I "$_b/chunked" >/dev/null
  # HTTP/1.0 (one connection each)
  $_c --http1.0 "$_n/small.txt" >/dev/null
  $_c --http1.0 "$_b/text?size=3000" >/dev/null
  $_c --http1.0 "$_b/close" >/dev/null
  # proxied chunked response (nginx re-chunks the backend's chunks)
  $_c "$_n/backend/chunked?n=7" "$_n/backend/status/404" >/dev/null
  # pipelining: all requests in one write (nginx closes after a 500: last).
  # No HEAD here: tshark 4.0 pairs pipelined responses with the batch's last
  # request, so it would take the body-less HEAD response as having a body.
  "$TRAFFIC_PY" "$TRAFFIC_TOOLS/pipeline_client.py" 127.0.0.1 "$BACKEND_PORT" \
    'GET:/text?size=100' 'POST:/echo' 'GET:/chunked?n=3' \
    'GET:/status/204' 'GET:/nothing' 'GET:/gzip' 'GET:/status/500' >/dev/null
  "$TRAFFIC_PY" "$TRAFFIC_TOOLS/pipeline_client.py" 127.0.0.1 "$HTTP_PORT" \
    'GET:/' 'GET:/missing' 'GET:/small.txt' 'GET:/big.txt' 'GET:/err' >/dev/null
  # 6+8+1+3+1+(1+1)+1+1+(1+1)+1+1+1+1+1+(2+2)+7+5
  HTTP_EXPECTED=46
}

# traffic_http FILE: captures the HTTP traffic into FILE.
traffic_http() {
  traffic_need http
  http_servers_start
  capture_start "$1" "tcp port $HTTP_PORT or tcp port $BACKEND_PORT"
  http_clients
  capture_stop
  traffic_cleanup
}

# ---------------------------------------------------------------- DNS

dns_server_start() {
  DNS_PORT=$(free_ports 1)
  _bg dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
    --listen-address=127.0.0.1 --bind-interfaces --port="$DNS_PORT" \
    --pid-file="$T/dnsmasq.pid" --user=root --log-facility="$T/dnsmasq.log" \
    --local=/wh.test/ --local=/10.in-addr.arpa/ \
    --host-record=host.wh.test,10.1.2.4,fd00::4 \
    --host-record=mail.wh.test,10.1.2.25 \
    --address=/addr.wh.test/10.1.2.9 \
    --cname=www.wh.test,web.wh.test \
    --cname=web.wh.test,host.wh.test \
    '--txt-record=txt.wh.test,v=spf1 -all,second string' \
    --mx-host=wh.test,mail.wh.test,10 \
    --srv-host=_http._tcp.wh.test,host.wh.test,8080,0,5
  wait_tcp "$DNS_PORT"
}

# DNS_EXPECTED_UDP / DNS_EXPECTED_TCP: queries (each answered) on the wire.
dns_clients() {
  _d="dig @127.0.0.1 -p $DNS_PORT +tries=1 +time=3"
  for _q in "www.wh.test A" "host.wh.test AAAA" "txt.wh.test TXT" "wh.test MX" \
            "_http._tcp.wh.test SRV" "nx.wh.test A" "addr.wh.test A" \
            "4.2.1.10.in-addr.arpa PTR" "www.wh.test AAAA"; do
    # shellcheck disable=SC2086
    $_d $_q >/dev/null
  done
  $_d +tcp host.wh.test A >/dev/null
  $_d +tcp +keepopen www.wh.test A txt.wh.test TXT wh.test MX nx.wh.test A \
    _http._tcp.wh.test SRV >/dev/null
  DNS_EXPECTED_UDP=9
  DNS_EXPECTED_TCP=6
}

# traffic_dns FILE: captures the DNS traffic into FILE.
traffic_dns() {
  traffic_need dns
  dns_server_start
  capture_start "$1" "port $DNS_PORT"
  dns_clients
  capture_stop
  traffic_cleanup
}

# traffic_all FILE: the HTTP and the DNS traffic in one capture.
traffic_all() {
  traffic_need http
  traffic_need dns
  http_servers_start
  dns_server_start
  capture_start "$1" "tcp port $HTTP_PORT or tcp port $BACKEND_PORT or port $DNS_PORT"
  http_clients
  dns_clients
  capture_stop
  traffic_cleanup
}

# ---------------------------------------------------------------- run by hand

case "${0##*/}" in
  traffic.sh)
    set -eu
    [ $# -eq 2 ] || { echo "usage: traffic.sh http|dns|all OUT.pcap" >&2; exit 2; }
    T=$(mktemp -d "${TMPDIR:-/tmp}/wirehook-traffic.XXXXXX")
    trap 'traffic_cleanup; rm -rf "$T"' EXIT
    case "$1" in
      http) traffic_http "$2"; echo "HTTP_PORT=$HTTP_PORT BACKEND_PORT=$BACKEND_PORT HTTP_EXPECTED=$HTTP_EXPECTED" ;;
      dns) traffic_dns "$2"; echo "DNS_PORT=$DNS_PORT DNS_EXPECTED_UDP=$DNS_EXPECTED_UDP DNS_EXPECTED_TCP=$DNS_EXPECTED_TCP" ;;
      all) traffic_all "$2"
        echo "HTTP_PORT=$HTTP_PORT BACKEND_PORT=$BACKEND_PORT HTTP_EXPECTED=$HTTP_EXPECTED"
        echo "DNS_PORT=$DNS_PORT DNS_EXPECTED_UDP=$DNS_EXPECTED_UDP DNS_EXPECTED_TCP=$DNS_EXPECTED_TCP" ;;
      *) echo "usage: traffic.sh http|dns|all OUT.pcap" >&2; exit 2 ;;
    esac
    rm -f "$2.tcpdump.log"
    ;;
esac
