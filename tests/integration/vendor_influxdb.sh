#!/bin/sh
# vendor.influxdb (vendors.md §4) through the daemon.  A stand-in of the
# v2 write API (tests/tools/vendor_server.py influx) checks each request
# exactly (path, percent-encoded query, headers, token, one line of line
# protocol with a current nanosecond timestamp) and hands the line to a
# real InfluxDB 1.6 (Debian's influxd, started here on 127.0.0.1 with a
# temporary directory): measurements, tags and fields full of spaces,
# commas, equals signs, quotes, backslashes and unicode are accepted and
# read back (/query) with the values tests/tools/vendor_influx_check.py
# predicts, and the spec's example line comes out byte for byte.  Errors:
# the server's JSON message (token, organization, bucket, a type
# conflict influxd refuses), argument errors, no field values.  Then the
# InfluxDB job of scripts/examples runs in `wirehook run`.
. "$WH_TOP_SRCDIR/tests/lib.sh"
. "$WH_TOP_SRCDIR/tests/tools/vendor_lib.sh"

command -v influxd >/dev/null 2>&1 ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends influxdb >/dev/null 2>&1 ||
  fail "influxd is needed (Debian package influxdb; tools/deps.sh installs it, as root)"
TOKEN=infl-Tk-5d8e2f9a7c1b
check=$WH_TOP_SRCDIR/tests/tools/vendor_influx_check.py

# A real influxd on free ports with its own directory.
ports=$("$PYTHON3" -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))')
set -- $ports
mkdir -p "$T/influxd"
cat > "$T/influxd/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$2"
[meta]
  dir = "$T/influxd/meta"
  logging-enabled = false
[data]
  dir = "$T/influxd/data"
  wal-dir = "$T/influxd/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:$1"
  log-enabled = false
[continuous_queries]
  enabled = false
[subscriber]
  enabled = false
CONF
influxd -config "$T/influxd/influxdb.conf" > "$T/influxd/log" 2>&1 &
VENDOR_PIDS="$VENDOR_PIDS $!"
influx=http://127.0.0.1:$1
i=0
until curl -sf "$influx/ping" >/dev/null 2>&1; do
  i=$((i + 1))
  [ "$i" -le 200 ] || fail "influxd did not start: $(tail -n 5 "$T/influxd/log")"
  sleep 0.05
done

vendor_start v2 influx --token "$TOKEN" --org "my org/é" --influxd "$influx"
port=$VENDOR_PORT
"$PYTHON3" "$check" points "$T/points.json"
vendor_items 2

cat > "$T/influx.js" <<'JS'
var n = 0;
function t(name, f) {
  try { console.log(name + ": " + String(f()).split(env.PORT).join("PORT")); }
  catch (e) { console.log(name + ": " + String(e).split(env.PORT).join("PORT")); }
}
function W(bucket, m, data, tags, token, org) {
  return vendor.influxdb(env.URL, token || TOKEN, org || env.ORG, bucket, m, data, tags);
}
function cases() {
  var points = JSON.parse(env.POINTS);
  points.forEach(function (p, i) {
    if (i === 0) {  // values JSON cannot carry: skipped like null
      p.data.nan = NaN; p.data.inf = Infinity; p.data.ninf = -Infinity;
      p.data.fn = function () {}; p.data.undef = undefined;
    }
    t("point " + i, function () { return W(p.bucket, p.measurement, p.data, p.tags); });
  });
  t("spec example", function () {
    return W("spec", "HTTP stats", { count: 3, "avg latency": 12.5, ok: true, svc: { name: 'a"b' }, x: null },
             { node: "n 1", env: "prod" });
  });
  t("trailing slash", function () { return vendor.influxdb(env.URL + "/", TOKEN, env.ORG, "spec", "m", { v: 1 }); });
  t("bad token", function () { return W("lp", "m", { v: 1 }, null, "wrong-" + TOKEN); });
  t("bad org", function () { return W("lp", "m", { v: 1 }, null, null, "nope"); });
  t("bad bucket", function () { return W("missing", "m", { v: 1 }); });
  t("type conflict", function () { return W("lp", "numbers", { i: "a string" }); });
  t("no fields", function () { return W("lp", "m", { a: null, b: [1], c: {}, d: NaN }); });
  t("empty measurement", function () { return W("lp", "", { v: 1 }); });
  t("data array", function () { return W("lp", "m", [1]); });
  t("data string", function () { return W("lp", "m", "v=1"); });
  t("tags string", function () { return W("lp", "m", { v: 1 }, "a=b"); });
  t("no data", function () { return vendor.influxdb(env.URL, TOKEN, env.ORG, "lp", "m"); });
  t("bad url", function () { return vendor.influxdb("influx.local:8086", TOKEN, env.ORG, "lp", "m", { v: 1 }); });
}
function onItemCaptured(d) {
  if (++n === 1)
    cases();
  console.log("item " + n);
}
JS
cfg=$(printf '[scripting.env]\nURL = http://127.0.0.1:%s\nPORT = %s\nTOKEN = %s\nORG = my org/é\nPOINTS_FILE = %s\n' \
  "$port" "$port" "$TOKEN" "$T/points.json" | wh_config)
vendor_run influx "$T/influx.js" "$cfg"
cat > "$T/expected" <<'OUT'
Wrote 1 point to InfluxDB bucket: lp
point 0: undefined
Wrote 1 point to InfluxDB bucket: lp
point 1: undefined
Wrote 1 point to InfluxDB bucket: lp
point 2: undefined
Wrote 1 point to InfluxDB bucket: lp
point 3: undefined
Wrote 1 point to InfluxDB bucket: spec
spec example: undefined
Wrote 1 point to InfluxDB bucket: spec
trailing slash: undefined
bad token: Error: vendor.influxdb: HTTP 401 from 127.0.0.1:PORT (POST): unauthorized access
bad org: Error: vendor.influxdb: HTTP 404 from 127.0.0.1:PORT (POST): organization name "nope" not found
bad bucket: Error: vendor.influxdb: HTTP 404 from 127.0.0.1:PORT (POST): bucket "missing" not found
OUT
cat >> "$T/expected" <<'OUT'
no fields: Error: vendor.influxdb: no field values
empty measurement: TypeError: vendor.influxdb: measurement must not be empty
data array: TypeError: vendor.influxdb: data must be an object
data string: TypeError: vendor.influxdb: data must be an object
tags string: TypeError: vendor.influxdb: tags must be an object
no data: TypeError: vendor.influxdb: data is required
bad url: TypeError: vendor.influxdb: url must be an http:// or https:// URL
item 1
item 2
OUT
actual=$(vendor_lines influx influx.js)
conflict=$(printf '%s\n' "$actual" | sed -n 's/^type conflict: //p')
assert_eq "$(cat "$T/expected")" "$(printf '%s\n' "$actual" | grep -v '^type conflict: ')" "vendor.influxdb: results and errors"
assert_contains "$conflict" 'Error: vendor.influxdb: HTTP 400 from 127.0.0.1:PORT (POST): ' "influxd's refusal"
assert_contains "$conflict" 'field type conflict' "influxd's refusal: its message"
vendor_check v2

# The lines as sent, against the oracle; the spec's own example exactly.
"$PYTHON3" "$check" lines "$T/points.json" "$T/v2/requests.jsonl" || fail "line protocol differs (above)"
"$PYTHON3" - "$T/v2/requests.jsonl" > "$T/spec.line" <<'PY'
import base64, json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if dict(r["query"]).get("bucket") == "spec":
        print(base64.b64decode(r["body_b64"]).decode().rstrip("\n").rsplit(" ", 1)[0])
PY
assert_eq 'HTTP\ stats,env=prod,node=n\ 1 avg\ latency=12.5,count=3,ok=true,svc.name="a\"b" 1
m v=1 1' "$(sed 's/$/ 1/' "$T/spec.line")" "the spec's example line"
grep -q '"target": "/api/v2/write?org=my%20org%2F%C3%A9&bucket=spec&precision=ns"' "$T/v2/requests.jsonl" ||
  fail "the write URL is not the spec's: $(grep -o '"target": "[^"]*"' "$T/v2/requests.jsonl" | head -3)"

# What the real InfluxDB made of them.
"$PYTHON3" "$check" readback "$T/points.json" "$influx" || fail "influxd read back other values (above)"

# The InfluxDB job of scripts/examples, in the daemon, every second.
cfg=$(printf '[scripting.env]\nINFLUXDB_URL = http://127.0.0.1:%s\nINFLUXDB_TOKEN = %s\nINFLUXDB_ORGANIZATION = my org/é\nINFLUXDB_BUCKET = example\nINFLUXDB_CRON = */1 * * * * *\n' \
  "$port" "$TOKEN" | wh_config)
vendor_daemon job "$cfg" "$WH_TOP_SRCDIR/scripts/examples/influxdb-job.js"
vendor_wait_for "$T/job.out" "Wrote 1 point to InfluxDB bucket: example" 20
vendor_daemon_stop
assert_contains "$(cat "$T/job.out")" '[influxdb-job.js] Data: {"items":0,"http":{"2xx":0,"3xx":0,"4xx":0,"5xx":0},"dns":0}' "the job's data"
"$PYTHON3" - "$T/v2/requests.jsonl" > "$T/job.line" <<'PY'
import base64, json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if dict(r["query"]).get("bucket") == "example":
        print(base64.b64decode(r["body_b64"]).decode().rstrip("\n").rsplit(" ", 1)[0])
        break
PY
assert_eq 'Example\ Measurement,example=tag dns=0,http.2xx=0,http.3xx=0,http.4xx=0,http.5xx=0,items=0' \
  "$(cat "$T/job.line")" "the example job's line"
vendor_check v2
vendor_no_secrets "$TOKEN"
