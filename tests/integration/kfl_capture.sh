#!/bin/sh
# KFL on real items: HTTP and DNS traffic captured on loopback, replayed
# through a script that evaluates the issue's queries with kfl.match on
# every item; the answers must equal what the items themselves say
# (computed here from `replay --json` of the same capture).
. "$WH_TOP_SRCDIR/tests/lib.sh"
. "$WH_TOP_SRCDIR/tests/tools/traffic.sh"

traffic_all "$T/all.pcap"
cfg=$(printf '[capture]\ndns_port = %s\n' "$DNS_PORT" | wh_config)
cat > "$T/kfl.js" <<'JS'
var queries = [
  'http and response.status == 500',
  'dns and request.questions.*.name == r".*\\.wh\\.test"',
  'request.headers["User-Agent"].contains("curl")',
  'http and request.headers["User-Agent"].contains("curl") and redact("request.headers.User-Agent")'
];
function onItemCaptured(data) {
  var out = [data.id];
  for (var i = 0; i < queries.length; i++) out.push(kfl.match(queries[i], data) ? 1 : 0);
  /* kfl.match redacts nothing the script sees. */
  var ua = data.request.headers ? data.request.headers["User-Agent"] || "" : "";
  out.push(ua.indexOf("curl") >= 0 ? 1 : 0);
  console.log(out.join(" "));
}
JS
wh replay "$T/all.pcap" -c "$cfg" --json > "$T/items.jsonl"
wh replay "$T/all.pcap" -c "$cfg" -s "$T/kfl.js" > "$T/out"
"$PYTHON3" - "$T/items.jsonl" > "$T/expected" <<'PY'
import json, re, sys
for line in open(sys.argv[1]):
    i = json.loads(line)
    http = i["protocol"]["abbr"] == "HTTP"
    dns = i["protocol"]["abbr"] == "DNS"
    ua = i["request"].get("headers", {}).get("User-Agent", "") if http else ""
    q1 = http and i["response"].get("status") == 500
    q2 = dns and any(re.search(r".*\.wh\.test", q["name"]) for q in i["request"]["questions"])
    q3 = "curl" in ua
    print("[kfl.js] %s %d %d %d %d %d" % (i["id"], q1, q2, q3, http and q3, q3))
PY
assert_eq "$(cat "$T/expected")" "$(cat "$T/out")" "kfl.match on every captured item"
# (a redact() before a selector changes what it sees: kfl.md §5, so the
# fourth query redacts last.)  The capture has each kind of answer, so the test can fail both ways.
for col in 2 3 4 5; do
  cut -d' ' -f$((col + 1)) "$T/out" | grep -q 1 || fail "query $((col - 1)) matched no item"
  cut -d' ' -f$((col + 1)) "$T/out" | grep -q 0 || fail "query $((col - 1)) matched every item"
done
