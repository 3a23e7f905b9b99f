#!/bin/sh
# Names in items, on real loopback traffic: dnsmasq answers names in a test
# zone (svc.names.test -> 127.0.0.2, then a second later
# late.names.test -> 127.0.0.3), then HTTP to nginx on 127.0.0.1 and to a
# server on 127.0.0.2.  With [resolve] hosts mapping 127.0.0.1 to
# "web local-ns", items to 127.0.0.1 carry that name and namespace; DNS
# answers are learned (A -> question name, namespace "") and used for
# 127.0.0.2; pcap.nameResolutionHistory() gives the complete table at each
# change; learn_dns = false learns nothing ({}).  [node] name/ip/worker go
# into node, worker and id.
. "$WH_TOP_SRCDIR/tests/lib.sh"
. "$WH_TOP_SRCDIR/tests/tools/traffic.sh"
tools=$WH_TOP_SRCDIR/tests/tools

traffic_need http
traffic_need dns
http_servers_start
# shellcheck disable=SC2046
set -- $(free_ports 2)
DNS_PORT=$1 WEB2_PORT=$2
_bg dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --no-poll \
  --listen-address=127.0.0.1 --bind-interfaces --port="$DNS_PORT" \
  --pid-file="$T/dnsmasq.pid" --user=root --log-facility="$T/dnsmasq.log" \
  --local=/names.test/ \
  --host-record=svc.names.test,127.0.0.2 \
  --host-record=late.names.test,127.0.0.3 \
  --txt-record=txt.names.test,hello
wait_tcp "$DNS_PORT"
_bg "$PYTHON3" -m http.server --bind 127.0.0.2 --directory "$T/nginx/www" "$WEB2_PORT"
"$PYTHON3" - "$WEB2_PORT" <<'PY' || fail "nothing listens on 127.0.0.2"
import socket, sys, time
end = time.time() + 10
while time.time() < end:
    try:
        socket.create_connection(("127.0.0.2", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY

capture_start "$T/names.pcap" "tcp port $HTTP_PORT or tcp port $WEB2_PORT or port $DNS_PORT"
d="dig @127.0.0.1 -p $DNS_PORT +tries=1 +time=3"
$d svc.names.test A >"$T/dig1.txt"
$d txt.names.test TXT >/dev/null
$d nx.names.test A >/dev/null
c="curl -sS --max-time 10"
$c "http://127.0.0.1:$HTTP_PORT/" "http://127.0.0.1:$HTTP_PORT/small.txt" >/dev/null
$c "http://127.0.0.2:$WEB2_PORT/small.txt" >/dev/null
sleep 1.1
$d late.names.test A >"$T/dig2.txt"
$c "http://127.0.0.1:$HTTP_PORT/missing" >/dev/null
capture_stop
traffic_cleanup
grep -q '^svc\.names\.test\..*127\.0\.0\.2$' "$T/dig1.txt" || { cat "$T/dig1.txt" >&2; fail "dnsmasq does not answer svc"; }
grep -q '^late\.names\.test\..*127\.0\.0\.3$' "$T/dig2.txt" || fail "dnsmasq does not answer late"

# the seconds in which the two A answers were captured
sec() {
  tshark -r "$T/names.pcap" -Y "dns.flags.response == 1 && dns.qry.name == \"$1\"" \
    -T fields -e frame.time_epoch 2>/dev/null | sed -n '1s/\..*//p'
}
s1=$(sec svc.names.test) s2=$(sec late.names.test)
[ -n "$s1" ] && [ -n "$s2" ] && [ "$s1" -lt "$s2" ] || fail "answer seconds: '$s1' '$s2'"

cat >"$T/names.js" <<'JS'
function onItemCaptured(data) {
  console.log("HIST " + JSON.stringify(pcap.nameResolutionHistory()));
}
JS
printf '# test names\n127.0.0.1 web local-ns\n' >"$T/hosts"

# checks.py ITEMS WANT_JSON: every item matches WANT for its server address
check_items() {
  "$PYTHON3" - "$@" <<'PY'
import json, sys
items = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
want = json.loads(sys.argv[2])
err = []
need = lambda c, w: c or err.append(w)
kinds = {}
for i in items:
    d = i["dst"]["ip"]
    key = "%s %s" % (i["protocol"]["name"], d)
    kinds[key] = kinds.get(key, 0) + 1
    w = want["names"][d]
    need(i["dst"]["name"] == w[0] and i["dst"]["namespace"] == w[1] and i["namespace"] == w[1],
         "%s: dst %r namespace %r, expected %r" % (i["id"], i["dst"], i["namespace"], w))
    s = want["names"][i["src"]["ip"]]
    need([i["src"]["name"], i["src"]["namespace"]] == s, "%s: src %r" % (i["id"], i["src"]))
    need(i["node"] == want["node"], "%s: node %r" % (i["id"], i["node"]))
    need(i["worker"] == want["worker"], "%s: worker %r" % (i["id"], i["worker"]))
    need(i["id"] == "%s/%s-%d" % (want["worker"], i["stream"], i["index"]), "id %r" % i["id"])
need(kinds == want["kinds"], "items per protocol and server: %r" % kinds)
for e in err:
    print("items: " + e, file=sys.stderr)
sys.exit(1 if err else 0)
PY
}
hist() { sed -n 's/^\[names\.js\] HIST //p' "$1" | tail -n 1; }
kinds='{"dns 127.0.0.1": 4, "http 127.0.0.1": 3, "http 127.0.0.2": 1}'
svc='"127.0.0.2": {"name": "svc.names.test", "namespace": ""}'
late='"127.0.0.3": {"name": "late.names.test", "namespace": ""}'
web='"127.0.0.1": {"name": "web", "namespace": "local-ns"}'
canon() { "$PYTHON3" -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1]), sort_keys=True))' "$1"; }

# 1. hosts file, learn_dns on by default, every [node] key set
cfg=$(printf '[capture]\ndns_port = %s\n[resolve]\nhosts = %s\n[node]\nname = node-e2e\nip = 10.20.30.40\nworker = e2e-worker:9999\n' \
  "$DNS_PORT" "$T/hosts" | wh_config)
wh replay "$T/names.pcap" -c "$cfg" -s "$T/names.js" --json >"$T/out1.txt" 2>"$T/err1.txt" ||
  { cat "$T/err1.txt" >&2; fail "wirehook replay failed (hosts)"; }
check_items "$T/out1.txt" "{\"names\": {\"127.0.0.1\": [\"web\", \"local-ns\"], \"127.0.0.2\": [\"svc.names.test\", \"\"]},
  \"node\": {\"name\": \"node-e2e\", \"ip\": \"10.20.30.40\"}, \"worker\": \"e2e-worker:9999\",
  \"kinds\": $kinds}" || fail "items with a hosts file"
assert_eq "$(canon "{\"0\": {$web}, \"$s1\": {$web, $svc}, \"$s2\": {$web, $svc, $late}}")" \
  "$(canon "$(hist "$T/out1.txt")")" "nameResolutionHistory with a hosts file"

# 2. no hosts file, learn_dns = true: only the learned names
cfg=$(printf '[capture]\ndns_port = %s\n[resolve]\nlearn_dns = true\n[node]\nname = node-e2e\nip = 10.20.30.40\nworker = e2e-worker:9999\n' \
  "$DNS_PORT" | wh_config)
wh replay "$T/names.pcap" -c "$cfg" -s "$T/names.js" --json >"$T/out2.txt" 2>"$T/err2.txt" ||
  { cat "$T/err2.txt" >&2; fail "wirehook replay failed (learn_dns)"; }
check_items "$T/out2.txt" "{\"names\": {\"127.0.0.1\": [\"\", \"\"], \"127.0.0.2\": [\"svc.names.test\", \"\"]},
  \"node\": {\"name\": \"node-e2e\", \"ip\": \"10.20.30.40\"}, \"worker\": \"e2e-worker:9999\",
  \"kinds\": $kinds}" || fail "items with learned names"
assert_eq "$(canon "{\"$s1\": {$svc}, \"$s2\": {$svc, $late}}")" \
  "$(canon "$(hist "$T/out2.txt")")" "nameResolutionHistory with learn_dns"
# 3. learn_dns = false: nothing learned; worker defaults to <node.ip>:8897
cfg=$(printf '[capture]\ndns_port = %s\n[resolve]\nlearn_dns = false\n[node]\nname = node-e2e\nip = 10.20.30.40\n' \
  "$DNS_PORT" | wh_config)
wh replay "$T/names.pcap" -c "$cfg" -s "$T/names.js" --json >"$T/out3.txt" 2>"$T/err3.txt" ||
  { cat "$T/err3.txt" >&2; fail "wirehook replay failed (learn_dns = false)"; }
check_items "$T/out3.txt" "{\"names\": {\"127.0.0.1\": [\"\", \"\"], \"127.0.0.2\": [\"\", \"\"]},
  \"node\": {\"name\": \"node-e2e\", \"ip\": \"10.20.30.40\"}, \"worker\": \"10.20.30.40:8897\",
  \"kinds\": $kinds}" || fail "items with learn_dns = false"
assert_eq 8 "$(grep -c '^\[names\.js\] HIST {}$' "$T/out3.txt")" "nameResolutionHistory with learn_dns = false"
