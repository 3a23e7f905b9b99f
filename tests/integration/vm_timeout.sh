#!/bin/sh
# A hook that loops for ever is interrupted after hook_timeout_ms, the
# timeout is logged with script and hook, later items are still
# processed, try/catch cannot swallow the interruption, and the run ends
# normally (exit 0).
. "$WH_TOP_SRCDIR/tests/lib.sh"

"$PYTHON3" "$WH_TOP_SRCDIR/tests/tools/gen_items.py" 5 > "$T/items.jsonl"
cfg=$(printf '[scripting]\nhook_timeout_ms = 300\n' | wh_config)
cat > "$T/loop.js" <<'JS'
var n = 0;
function onItemCaptured(data) {
  n++;
  if (n === 2) { while (true) {} }
  if (n === 3) { try { while (true) {} } catch (e) { console.log("caught", e); } }
  console.log("item", n, data.index);
}
JS
cat > "$T/other.js" <<'JS'
function onItemCaptured(data) { console.log("other", data.stream); }
JS
start=$(date +%s%N)
wh replay "$T/items.jsonl" -c "$cfg" -s "$T/loop.js" -s "$T/other.js" > "$T/out" 2> "$T/err"
rc=$?
end=$(date +%s%N)
assert_eq 0 "$rc" "exit status"
assert_eq "[loop.js] item 1 0
[other.js] other 000000000001.pcap
[other.js] other 000000000002.pcap
[other.js] other 000000000003.pcap
[loop.js] item 4 0
[other.js] other 000000000004.pcap
[loop.js] item 5 0
[other.js] other 000000000005_udp.pcap" "$(cat "$T/out")" "items after the timeouts"
assert_eq "[loop.js:ERROR] (hook=onItemCaptured) RangeError: execution timeout (limit 300 ms)
[loop.js:ERROR] (hook=onItemCaptured) RangeError: execution timeout (limit 300 ms)" \
  "$(grep -F '[loop.js:ERROR]' "$T/err")" "timeout lines"
ms=$(( (end - start) / 1000000 ))
# Two interruptions of 300 ms each; far less than a second of slack each
# (valgrind runs slower, so allow more there).
limit=3000; [ "${WH_VALGRIND:-}" = 1 ] && limit=30000
[ "$ms" -ge 600 ] || fail "the run took $ms ms: the loops were not given their 300 ms"
[ "$ms" -lt "$limit" ] || fail "the run took $ms ms: the interruption came late"
