#!/bin/sh
# onPacketCaptured and unanswered requests on real loopback traffic:
# one hook call per packet with tshark's timestamp, lengths and truncation
# (also for a `tcpdump -s 96` copy of the capture); a request whose
# connection closes unanswered gives error.type "pair-not-found", one left
# open past http_timeout = 1s gives "timeout"; both reach onItemCaptured
# and `wirehook replay --json` with response {}.
. "$WH_TOP_SRCDIR/tests/lib.sh"
. "$WH_TOP_SRCDIR/tests/tools/traffic.sh"
tools=$WH_TOP_SRCDIR/tests/tools

traffic_need http
http_servers_start
# shellcheck disable=SC2046
set -- $(free_ports 2)
NEVER_PORT=$1 SLOW_PORT=$2
_bg "$PYTHON3" "$tools/e2e_hang_server.py" "$NEVER_PORT" never
_bg "$PYTHON3" "$tools/e2e_hang_server.py" "$SLOW_PORT" sleep=3
wait_tcp "$NEVER_PORT"
wait_tcp "$SLOW_PORT"
filter="tcp port $HTTP_PORT or tcp port $NEVER_PORT or tcp port $SLOW_PORT"
capture_start "$T/cap.pcap" "$filter"
# the same traffic with a snap length of 96 bytes
tcpdump -i lo -n -U --immediate-mode -s 96 -B 65536 -w "$T/short.pcap" \
  "($filter) or (udp and dst port $TRAFFIC_SYNC_PORT)" 2>"$T/short.log" &
short_pid=$!
n=0
until grep -q 'listening on' "$T/short.log" 2>/dev/null; do
  n=$((n + 1))
  [ "$n" -lt 200 ] || fail "tcpdump -s 96 did not start"
  sleep 0.05
done

c="curl -sS --max-time 10"
u="http://127.0.0.1:$HTTP_PORT"
$c "$u/" "$u/big.txt" "$u/small.txt" >/dev/null
# no answer; the client gives up after 0.5 s and closes, then the server
curl -sS --max-time 0.5 "http://127.0.0.1:$NEVER_PORT/never" >/dev/null 2>&1 && fail "curl got an answer"
# no answer for 3 s, then the server closes; other traffic goes on meanwhile
curl -sS --max-time 10 "http://127.0.0.1:$SLOW_PORT/slow" >/dev/null 2>&1 &
slow_pid=$!
i=0
while [ $i -lt 8 ]; do
  $c "$u/small.txt?i=$i" >/dev/null
  sleep 0.45
  i=$((i + 1))
done
wait "$slow_pid" && fail "curl got an answer from the slow server"
capture_stop
kill -INT "$short_pid"
wait "$short_pid" || :
traffic_cleanup
grep -q '^0 packets dropped by kernel' "$T/short.log" || { cat "$T/short.log" >&2; fail "tcpdump -s 96 missed packets"; }

cat >"$T/hooks.js" <<'JS'
var packets = 0;
function onPacketCaptured(info) {
  packets++;
  console.log("PKT " + JSON.stringify(info));
}
function onItemCaptured(data) {
  if (data.error)
    console.log("UNANSWERED " + data.request.path + " " + JSON.stringify(data.error) + " " +
                JSON.stringify(data.response) + " " + data.responseSize + " " + data.elapsedTime +
                " after " + packets + " packets");
}
JS
cfg=$(printf '[capture]\nhttp_timeout = 1s\n' | wh_config)

# one hook call per packet, with tshark's values
npk=$(capinfos -c -M "$T/cap.pcap" | awk '/Number of packets/ {print $NF}')
[ "$npk" -gt 100 ] || fail "capture has $npk packets"
wh replay "$T/cap.pcap" -c "$cfg" -s "$T/hooks.js" --json >"$T/out.txt" 2>"$T/err.txt" ||
  { cat "$T/err.txt" >&2; fail "wirehook replay failed"; }
assert_eq "$npk" "$(grep -c '^\[hooks.js\] PKT ' "$T/out.txt")" "onPacketCaptured calls vs capinfos"
"$PYTHON3" "$tools/e2e_pcap.py" packets "$T/cap.pcap" "$T/out.txt" ||
  fail "onPacketCaptured infos differ from tshark"
assert_eq 0 "$(grep '^\[hooks.js\] PKT ' "$T/out.txt" | grep -c '"truncated":true')" "nothing truncated at snaplen 262144"

# the unanswered items, in the hook and in --json
un=$(sed -n 's/^\[hooks.js\] UNANSWERED //p' "$T/out.txt" | sed 's/ after [0-9]* packets$//')
assert_eq '/never {"type":"pair-not-found","msg":"connection closed before a response"} {} 0 0
/slow {"type":"timeout","msg":"no response within 1s"} {} 0 0' "$un" "onItemCaptured of unanswered requests"
grep '^{' "$T/out.txt" >"$T/items.jsonl"
"$PYTHON3" - "$T/items.jsonl" "$HTTP_PORT" "$NEVER_PORT" "$SLOW_PORT" <<'PY' || fail "replay --json items"
import json, sys
items = [json.loads(l) for l in open(sys.argv[1])]
http, never, slow = sys.argv[2:5]
err = []
def need(c, what):
    if not c:
        err.append(what)
need(len(items) == 13, "%d items, expected 11 answered + 2 unanswered" % len(items))
ok = [i for i in items if i["dst"]["port"] == http]
need(len(ok) == 11, "%d nginx items, expected 11" % len(ok))
need(all("error" not in i and i["response"].get("status") == 200 for i in ok), "nginx items answered")
for port, path, etype, msg in ((never, "/never", "pair-not-found", "connection closed before a response"),
                               (slow, "/slow", "timeout", "no response within 1s")):
    its = [i for i in items if i["dst"]["port"] == port]
    if not need(len(its) == 1, "%d items for %s, expected 1" % (len(its), path)):
        continue
    i = its[0]
    need(i["request"]["method"] == "GET" and i["request"]["path"] == path, path + ": request")
    need(i["response"] == {}, path + ": response %r" % i["response"])
    need(i["responseSize"] == 0 and i["elapsedTime"] == 0, path + ": sizes")
    need(i["error"] == {"type": etype, "msg": msg}, path + ": error %r" % i.get("error"))
    need(i["requestSize"] > 0 and i["index"] == 0, path + ": requestSize/index")
for e in err:
    print("items: " + e, file=sys.stderr)
sys.exit(1 if err else 0)
PY

# the unanswered items come in timestamp order relative to the packets:
# the timeout only after the packets of the following second
nslow=$(sed -n 's/^\[hooks.js\] UNANSWERED \/slow .* after \([0-9]*\) packets$/\1/p' "$T/out.txt")
[ -n "$nslow" ] && [ "$nslow" -lt "$npk" ] || fail "the timeout item after $nslow of $npk packets"

# snap length 96: big packets are truncated, with tshark's lengths
nshort=$(capinfos -c -M "$T/short.pcap" | awk '/Number of packets/ {print $NF}')
wh replay "$T/short.pcap" -c "$cfg" -s "$T/hooks.js" >"$T/short.txt" 2>"$T/short.err" ||
  { cat "$T/short.err" >&2; fail "wirehook replay of the short capture failed"; }
assert_eq "$nshort" "$(grep -c '^\[hooks.js\] PKT ' "$T/short.txt")" "onPacketCaptured calls (-s 96)"
"$PYTHON3" "$tools/e2e_pcap.py" packets "$T/short.pcap" "$T/short.txt" ||
  fail "onPacketCaptured infos differ from tshark (-s 96)"
want=$(tshark -r "$T/short.pcap" -Y 'frame.len > 96' 2>/dev/null | grep -c .)
[ "$want" -gt 10 ] || fail "only $want packets longer than 96 bytes"
assert_eq "$want" "$(grep -c '"captureLength":96,"length":[0-9]*,"truncated":true' "$T/short.txt")" \
  "truncated packets (-s 96)"
assert_eq "$want" "$(grep '^\[hooks.js\] PKT ' "$T/short.txt" | grep -c '"truncated":true')" "only the long packets are truncated"
