#!/bin/sh
# Live capture: `wirehook run -i lo` with a BPF filter sees the HTTP
# traffic this test makes on loopback, a hook receives the items, traffic
# outside the filter is not seen, a stats line is printed, and SIGTERM
# ends the run with status 0.
. "$WH_TOP_SRCDIR/tests/lib.sh"
command -v curl >/dev/null || { apt-get install -y -qq curl >/dev/null 2>&1 || fail "curl is needed"; }

free_port() { "$PYTHON3" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mkdir -p "$T/www" && printf 'hello\n' > "$T/www/index.html"
p1=$(free_port); p2=$(free_port)
(cd "$T/www" && exec "$PYTHON3" -m http.server "$p1" --bind 127.0.0.1) >/dev/null 2>&1 &
s1=$!
(cd "$T/www" && exec "$PYTHON3" -m http.server "$p2" --bind 127.0.0.1) >/dev/null 2>&1 &
s2=$!
trap 'kill $s1 $s2 $wh_pid 2>/dev/null; cleanup' EXIT
wh_pid=

cfg=$(wh_config <<EOF
[capture]
filter = tcp port $p1
stats_interval = 1s
EOF
)
cat > "$T/live.js" <<'JS'
function onItemCaptured(data) {
  console.log("item", data.request.method, data.request.path, data.response.status,
              data.dst.port, data.protocol.layer4);
}
JS
wait_for() { # FILE TEXT SECONDS
  i=0
  while ! grep -qF "$2" "$1" 2>/dev/null; do
    i=$((i + 1)); [ "$i" -gt $(($3 * 10)) ] && return 1; sleep 0.1
  done
}
"$WH_BIN" run -i lo -c "$cfg" -s "$T/live.js" > "$T/out" 2> "$T/err" &
wh_pid=$!
wait_for "$T/err" "capturing on lo" 10 || fail "no start line: $(cat "$T/err")"
for port in $p1 $p2; do
  i=0; until curl -s -o /dev/null "http://127.0.0.1:$port/"; do i=$((i+1)); [ $i -gt 50 ] && fail "server $port down"; sleep 0.1; done
done
curl -s -o /dev/null "http://127.0.0.1:$p1/index.html" "http://127.0.0.1:$p1/missing"
curl -s -o /dev/null "http://127.0.0.1:$p2/index.html"
wait_for "$T/out" "item GET /missing 404" 10 || fail "items not seen: $(cat "$T/out" "$T/err")"
wait_for "$T/err" "stats: packets" 5 || fail "no stats line: $(cat "$T/err")"
kill -TERM "$wh_pid"
rc=0; wait "$wh_pid" || rc=$?
wh_pid=
assert_eq 0 "$rc" "exit status after SIGTERM"
assert_eq "[live.js] item GET / 200 $p1 tcp
[live.js] item GET /index.html 200 $p1 tcp
[live.js] item GET /missing 404 $p1 tcp" "$(grep '^\[live.js\] item' "$T/out")" "the items the hook saw"
assert_contains "$(cat "$T/err")" "stopped on signal 15" "stop line"
