#!/bin/sh
# Faults, for every vendor helper, through the daemon with short time
# limits ([plugin.NAME] timeout_ms, connect_timeout_ms): a server that
# never answers costs at most the timeout and throws; a listener that
# never accepts costs the connect timeout; 503 (and a connection closed
# before any answer) then success is retried where vendors.md allows it
# (never for vendor.webhook); 500 is not retried; a server that answers
# 503 for ever exhausts the attempts within the time limit; one that
# closes mid-answer throws; a refused connection throws.  The daemon
# processes every item in every case, also after an uncaught helper
# error, and no secret reaches any output, not even when a server quotes
# the credentials back in its error answer.
. "$WH_TOP_SRCDIR/tests/lib.sh"
. "$WH_TOP_SRCDIR/tests/tools/vendor_lib.sh"

TOKEN=flt-Tok-4c2e8d1f9b7a
vendor_start f faults
port=$VENDOR_PORT
vendor_start stall stall
sport=$VENDOR_PORT
timeout=800 limit=1300
if [ "${WH_VALGRIND:-}" = 1 ]; then timeout=2500 limit=4000; fi
secs=$(awk "BEGIN { print $timeout / 1000 }")

cat > "$T/faults.js" <<'JS'
var B = env.BASE, n = 0;
function clean(s) {
  return String(s).split(env.PORT).join("PORT").split(env.SPORT).join("SPORT")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<uuid>")
    .replace(/, [0-9]+ attempts\)/g, ", N attempts)");
}
function hook(u, m) { return vendor.webhook(m || "POST", u, "x", { "Authorization": "Bearer " + TOKEN }); }
function slack(u) { return vendor.slack(u, "p", "t", "#ff0000"); }
function bot(fault) { return vendor.slackBot(TOKEN, fault, "p", "t", "#ff0000"); }
function influx(u) { return vendor.influxdb(u, TOKEN, "org", "b", "m", { v: 1 }); }
function elastic(u) { return vendor.elastic(u, "idx", { v: 1 }, "", "", "", TOKEN); }
var cases = [
  ["webhook hang", function () { return hook(B + "/hang/w"); }],
  ["slack hang", function () { return slack(B + "/hang/services/s"); }],
  ["slackBot hang", function () { return bot("hang"); }],
  ["influxdb hang", function () { return influx(B + "/hang"); }],
  ["elastic hang", function () { return elastic(B + "/hang"); }],
  ["webhook stall", function () { return hook(env.STALL + "/w"); }],
  ["influxdb stall", function () { return influx(env.STALL); }],
  ["webhook 503", function () { return JSON.parse(hook(B + "/flaky/w503/503,ok/x")).message.split(TOKEN).join("<token>"); }],
  ["slack 503", function () { return slack(B + "/flaky/s503/503,ok/services/x"); }],
  ["slackBot 503", function () { return bot("flaky/b503/503,ok"); }],
  ["influxdb 503", function () { return influx(B + "/flaky/i503/503,ok"); }],
  ["elastic 503", function () { return elastic(B + "/flaky/e503/503,ok"); }],
  ["webhook drop", function () { return hook(B + "/flaky/wdrop/drop,ok/x"); }],
  ["slack drop", function () { return slack(B + "/flaky/sdrop/drop,ok/services/x"); }],
  ["influxdb drop", function () { return influx(B + "/flaky/idrop/drop,ok"); }],
  ["elastic drop", function () { return elastic(B + "/flaky/edrop/drop,ok"); }],
  ["slack 500", function () { return slack(B + "/flaky/s500/500,ok/services/x"); }],
  ["slackBot 500", function () { return bot("flaky/b500/500,ok"); }],
  ["influxdb 500", function () { return influx(B + "/flaky/i500/500,ok"); }],
  ["elastic 500", function () { return elastic(B + "/flaky/e500/500,ok"); }],
  ["slack 503 always", function () { return slack(B + "/flaky/sall/503/services/x"); }],
  ["slackBot 502 always", function () { return bot("flaky/ball/502"); }],
  ["influxdb 504 always", function () { return influx(B + "/flaky/iall/504"); }],
  ["elastic 503 always", function () { return elastic(B + "/flaky/eall/503"); }],
  ["webhook close", function () { return hook(B + "/close/w"); }],
  ["slack close", function () { return slack(B + "/close/services/x"); }],
  ["slackBot close", function () { return bot("close"); }],
  ["influxdb close", function () { return influx(B + "/close"); }],
  ["elastic close", function () { return elastic(B + "/close"); }],
  ["webhook refused", function () { return hook("http://127.0.0.1:1/w"); }],
  ["slack refused", function () { return slack("http://127.0.0.1:1/services/x"); }],
  ["influxdb refused", function () { return influx("http://127.0.0.1:1"); }],
  ["elastic refused", function () { return elastic("http://127.0.0.1:1"); }]
];
function onItemCaptured(d) {
  var c = cases[n++];
  if (c) {
    var t0 = Date.now(), r;
    try { r = "ok " + c[1](); } catch (e) { r = String(e); }
    var ms = Date.now() - t0;
    var early = / hang$/.test(c[0]) && ms < Number(env.TIMEOUT_MS) - 50;
    console.log(c[0] + ": " + clean(r) + (ms > Number(env.LIMIT_MS) ? " (SLOW: " + ms + " ms)" : "") +
                (early ? " (gave up early: " + ms + " ms)" : ""));
  } else if (n === cases.length + 1) {
    influx(B + "/close");  // uncaught: logged, and the next item comes
  } else {
    console.log("last item " + n);
  }
}
JS
vendor_items 35
cfg=$(
  for p in webhook slack influxdb elastic; do
    printf '[plugin.%s]\ntimeout_ms = %s\nconnect_timeout_ms = 300\n' "$p" "$timeout"
    [ "$p" != slack ] || printf 'api_base = http://127.0.0.1:%s/api/\n' "$port"
  done
  printf '[scripting.env]\nBASE = http://127.0.0.1:%s\nSTALL = http://127.0.0.1:%s\nPORT = %s\nSPORT = %s\nTOKEN = %s\nLIMIT_MS = %s\nTIMEOUT_MS = %s\n' \
    "$port" "$sport" "$port" "$sport" "$TOKEN" "$limit" "$timeout"
)
cfg=$(printf '%s\n' "$cfg" | wh_config)
vendor_run faults "$T/faults.js" "$cfg"
cat > "$T/expected" <<OUT
webhook hang: Error: vendor.webhook: timeout after $secs s waiting for 127.0.0.1:PORT (POST)
slack hang: Error: vendor.slack: timeout after $secs s waiting for 127.0.0.1:PORT (POST)
slackBot hang: Error: vendor.slackBot: timeout after $secs s waiting for 127.0.0.1:PORT (POST chat.postMessage)
influxdb hang: Error: vendor.influxdb: timeout after $secs s waiting for 127.0.0.1:PORT (POST)
elastic hang: Error: vendor.elastic: timeout after $secs s waiting for 127.0.0.1:PORT (PUT)
webhook stall: Error: vendor.webhook: cannot connect to 127.0.0.1:SPORT: timeout after 0.3 s (POST)
influxdb stall: Error: vendor.influxdb: cannot connect to 127.0.0.1:SPORT: timeout after 0.3 s (POST)
webhook 503: ok flaky 503 for Bearer <token>
slack 503: ok undefined
Message sent to Slack channel: C0123
slackBot 503: ok 1700000000.000001
Wrote 1 point to InfluxDB bucket: b
influxdb 503: ok undefined
Indexed document <uuid> into Elasticsearch index: idx
elastic 503: ok <uuid>
webhook drop: Error: vendor.webhook: 127.0.0.1:PORT closed the connection without an answer (POST)
slack drop: ok undefined
Wrote 1 point to InfluxDB bucket: b
influxdb drop: ok undefined
Indexed document <uuid> into Elasticsearch index: idx
elastic drop: ok <uuid>
slack 500: Error: vendor.slack: HTTP 500 from 127.0.0.1:PORT (POST): flaky 500 for none
slackBot 500: Error: vendor.slackBot: HTTP 500 from 127.0.0.1:PORT (POST chat.postMessage): {"code": "internal error", "message": "flaky 500 for Bearer ***", "ok": false, "error": {"type": "flaky", "reason": "flaky 500 for Bearer ***"}}
influxdb 500: Error: vendor.influxdb: HTTP 500 from 127.0.0.1:PORT (POST): flaky 500 for Token ***
elastic 500: Error: vendor.elastic: HTTP 500 from 127.0.0.1:PORT (PUT): flaky: flaky 500 for ApiKey ***
slack 503 always: Error: vendor.slack: HTTP 503 from 127.0.0.1:PORT (POST, N attempts): flaky 503 for none
slackBot 502 always: Error: vendor.slackBot: HTTP 502 from 127.0.0.1:PORT (POST chat.postMessage, N attempts): {"code": "internal error", "message": "flaky 502 for Bearer ***", "ok": false, "error": {"type": "flaky", "reason": "flaky 502 for Bearer ***"}}
influxdb 504 always: Error: vendor.influxdb: HTTP 504 from 127.0.0.1:PORT (POST, N attempts): flaky 504 for Token ***
elastic 503 always: Error: vendor.elastic: HTTP 503 from 127.0.0.1:PORT (PUT, N attempts): flaky: flaky 503 for ApiKey ***
webhook close: Error: vendor.webhook: 127.0.0.1:PORT closed the connection mid-answer (POST)
slack close: Error: vendor.slack: 127.0.0.1:PORT closed the connection mid-answer (POST)
slackBot close: Error: vendor.slackBot: 127.0.0.1:PORT closed the connection mid-answer (POST chat.postMessage)
influxdb close: Error: vendor.influxdb: 127.0.0.1:PORT closed the connection mid-answer (POST)
elastic close: Error: vendor.elastic: 127.0.0.1:PORT closed the connection mid-answer (PUT)
webhook refused: Error: vendor.webhook: cannot connect to 127.0.0.1:1 (POST): Connection refused
slack refused: Error: vendor.slack: cannot connect to 127.0.0.1:1 (POST, N attempts): Connection refused
influxdb refused: Error: vendor.influxdb: cannot connect to 127.0.0.1:1 (POST, N attempts): Connection refused
elastic refused: Error: vendor.elastic: cannot connect to 127.0.0.1:1 (PUT, N attempts): Connection refused
last item 35
OUT
actual=$(vendor_lines faults faults.js | sed 's/^Indexed document [0-9a-f-]* into/Indexed document <uuid> into/')
assert_eq "$(cat "$T/expected")" "$actual" "every helper under faults (time limits kept, every item processed)"
assert_contains "$(cat "$T/faults.err")" \
  "[faults.js:ERROR] (hook=onItemCaptured) Error: vendor.influxdb: 127.0.0.1:$port closed the connection mid-answer (POST)" \
  "an uncaught helper error is logged and the daemon goes on"

# How often the stand-in was asked: retried where the spec allows it,
# within the attempt cap.
"$PYTHON3" - "$T/f/requests.jsonl" > "$T/counts" <<'PY'
import base64, collections, json, sys
n = collections.Counter()
for l in open(sys.argv[1]):
    r = json.loads(l)
    p = r["path"].split("/")
    if p[1] == "api":
        p = [""] + json.loads(base64.b64decode(r["body_b64"]))["channel"].split("/")
    n[p[2] if p[1] == "flaky" else p[1]] += 1
for k in sorted(n):
    print(k, n[k] if not k.endswith("all") else "2..5" if 2 <= n[k] <= 5 else n[k])
PY
assert_eq "b500 1
b503 2
ball 2..5
close 6
e500 1
e503 2
eall 2..5
edrop 2
hang 5
i500 1
i503 2
iall 2..5
idrop 2
s500 1
s503 2
sall 2..5
sdrop 2
w503 1
wdrop 1" "$(cat "$T/counts")" "requests per fault (retries)"
vendor_check f
vendor_no_secrets "$TOKEN"
