#!/bin/sh
# The control plane against a running daemon that captures loopback
# traffic made here: `console` shows console.log on stdout and
# console.error on stderr; `query 'http and response.status == 500'`
# returns exactly the 500s with the marks onItemQueried set (JSON lines,
# and the ✓/✗ table on a terminal); `jobs run` runs a job and `jobs list`
# counts it; `scripts reload` swaps a script while traffic flows and no
# item is lost; a broken edit is refused and the old version keeps
# running; `status` reports the counters.
. "$WH_TOP_SRCDIR/tests/lib.sh"
. "$WH_TOP_SRCDIR/tests/tools/control.sh"

mkdir -p "$T/scripts"
cfg=$(printf '[capture]\nfilter = tcp port %s\nbuffer_size = 64M\n[scripting]\nscripts = %s\n' \
  "$BACKEND" "$T/scripts" | wh_config)
cat >"$T/scripts/a.js" <<'JS'
var seen = 0;
function onItemCaptured(data) {
  seen++;
  console.log("V1 ITEM " + data.request.path);
  if (data.response.status == 500)
    console.error("V1 500 " + data.request.path);
}
function onItemQueried(data) {
  if (data.response.status == 500)
    data.failed = true;
  else
    data.passed = true;
  return data;
}
jobs.schedule("tick", "@every 1h", function () { console.log("TICK " + seen); });
JS

daemon_start -i lo
n500=$(requests 30 --every-500 3)
assert_eq 10 "$n500" "500s made"
wait_items 30 10

# console: the backlog, on the right streams
w console --no-follow >"$T/cons.out" 2>"$T/cons.err" || fail "console: $(cat "$T/cons.err")"
assert_eq 30 "$(grep -c '^\[a.js\] V1 ITEM /status/' "$T/cons.out")" "console.log lines on stdout"
assert_eq 10 "$(grep -c '^\[a.js:ERROR\] V1 500 /status/500' "$T/cons.err")" "console.error lines on stderr"
grep -q ERROR "$T/cons.out" && fail "an error line on the console's stdout"
grep -q 'V1 ITEM' "$T/cons.err" && fail "a log line on the console's stderr"
# and live: a line printed after the console connected
w console >"$T/live.out" 2>"$T/live.err" &
cons=$!
sleep 0.5
requests 1 --tag=-live >/dev/null
wait_items 31 10
wait_grep 'live' "$T/live.out" 5 || fail "console did not stream the new line: $(cat "$T/live.out" "$T/live.err")"
kill $cons; wait $cons 2>/dev/null || true

# query: exactly the 500s, newest first, marked failed by onItemQueried
w query 'http and response.status == 500' --json >"$T/q.json" 2>"$T/q.err" || fail "query: $(cat "$T/q.err")"
assert_eq 10 "$(grep -c . "$T/q.json")" "items of the 500 query"
"$PYTHON3" - "$T/q.json" <<'PY' || fail "query answer"
import json, sys
items = [json.loads(l) for l in open(sys.argv[1])]
paths = [i["request"]["path"] for i in items]
want = ["/status/500/%d" % k for k in range(27, -1, -3)]
assert paths == want, "paths %s, expected %s" % (paths, want)
assert all(i["response"]["status"] == 500 for i in items)
assert all(i["failed"] is True and i["passed"] is False for i in items), "marks"
PY
w query 'http and response.status == 200' --json --limit 5 >"$T/q2.json"
assert_eq 5 "$(grep -c '"passed":true' "$T/q2.json")" "passed marks on five 200s"
w query 'response.status == 500 and limit(2)' --json >"$T/q3.json"
assert_eq 2 "$(grep -c . "$T/q3.json")" "limit() in the query"
# redact() is applied before the hook sees the item
w query 'redact("request.path") and response.status == 500' --json --limit 1 >"$T/q4.json"
assert_contains "$(cat "$T/q4.json")" '"path":"[REDACTED]"' "redact() in the query"
if w query 'http and (' >"$T/bad.out" 2>"$T/bad.err"; then fail "a bad query succeeded"; fi
assert_contains "$(cat "$T/bad.err")" "kfl: 1:" "bad query error"
# the table on a terminal: ✗ red for the 500s, ✓ green for the 200s
TERM=xterm script -qec "$WH_BIN query http --limit 6 -c $cfg" /dev/null >"$T/table.out" 2>&1 ||
  fail "query on a terminal: $(cat "$T/table.out")"
assert_contains "$(cat "$T/table.out")" "$(printf '\033[31m✗')" "red ✗ on a terminal"
assert_contains "$(cat "$T/table.out")" "$(printf '\033[32m✓')" "green ✓ on a terminal"
grep -qE 'HTTP +127\.0\.0\.1:[0-9]+ → 127\.0\.0\.1:[0-9]+ +GET +/status/500/27 +500 +[0-9]+ ms' "$T/table.out" ||
  fail "no table row for the 500 of request 27: $(cat "$T/table.out")"
w query http --limit 3 >"$T/plain.out" 2>/dev/null
assert_eq 3 "$(grep -c 'HTTP' "$T/plain.out")" "plain table rows"
grep -q "$(printf '\033')" "$T/plain.out" && fail "colours when stdout is not a terminal"

# jobs: run one, see it counted
w jobs list >"$T/jobs1.out"
assert_contains "$(cat "$T/jobs1.out")" "tick" "jobs list names the job"
w jobs run tick >/dev/null || fail "jobs run tick"
i=0
until [ "$(json_field "$(w jobs list --json)" jobs.0.runs)" = 1 ]; do
  i=$((i + 1)); [ $i -gt 50 ] && fail "the job did not run: $(w jobs list --json)"; sleep 0.1
done
assert_contains "$(cat "$T/out")" "[a.js] TICK 31" "the job's output"
if w jobs run nosuch 2>"$T/jobs.err"; then fail "jobs run of a missing tag succeeded"; fi
assert_contains "$(cat "$T/jobs.err")" 'no job with tag "nosuch"' "jobs run error"

# reload while traffic flows: every item is seen by one version or the other
requests 200 --delay 0.01 --tag=-r >/dev/null &
client=$!
sleep 0.5
sed 's/V1/V2/g' "$T/scripts/a.js" >"$T/a2.js" && mv "$T/a2.js" "$T/scripts/a.js"
w scripts reload >"$T/reload.out" || fail "scripts reload: $(cat "$T/reload.out")"
assert_contains "$(cat "$T/reload.out")" "reloaded a.js" "reload report"
wait $client || fail "the reload client failed"
wait_items 231 20
v1=$(grep -c '^\[a.js\] V1 ITEM .*-r$' "$T/out" || true)
v2=$(grep -c '^\[a.js\] V2 ITEM .*-r$' "$T/out" || true)
[ "$v2" -gt 0 ] || fail "the new version saw no item"
[ "$v1" -gt 0 ] || fail "the reload came before the traffic"
assert_eq 200 "$((v1 + v2))" "items seen across the reload (V1 $v1, V2 $v2)"
# a broken edit is refused, the running version stays
printf 'function onItemCaptured(data) {\n  console.log("V3"\n' >"$T/scripts/a.js"
if w scripts reload >"$T/reload2.out"; then fail "a refused reload exited 0"; fi
assert_contains "$(cat "$T/reload2.out")" "refused a.js" "refused reload report"
requests 1 --tag=-after >/dev/null
wait_items 232 10
wait_grep "V2 ITEM /status/200/0-after" "$T/out" 5 || fail "the old version stopped after a refused reload"

# status: the counters
st=$(w status --json)
[ "$(json_field "$st" capture.packets)" -gt 232 ] || fail "status packets: $st"
assert_eq 232 "$(json_field "$st" capture.items)" "status items"
assert_eq 0 "$(json_field "$st" capture.dropped.items)" "status dropped items"
calls=$(json_field "$st" scripts.0.hooks.onItemCaptured.calls)
[ "$calls" -ge 1 ] || fail "status hook calls: $st"
w status >"$T/status.out"
assert_contains "$(cat "$T/status.out")" "a.js" "status text names the script"

daemon_stop
[ -e "$T/control.sock" ] && fail "the socket is left behind"
true
