#!/bin/sh
# Limits a hostile script cannot get past: the heap cap ([scripting]
# max_heap_mb) turns runaway allocation into an error the script sees,
# and a loop around slow native calls is interrupted soon after its time
# limit, not only every 256K bytecode instructions.
. "$WH_TOP_SRCDIR/tests/lib.sh"

"$PYTHON3" "$WH_TOP_SRCDIR/tests/tools/gen_items.py" 3 > "$T/items.jsonl"
cfg=$(printf '[scripting]\nmax_heap_mb = 32\nhook_timeout_ms = 300\n' | wh_config)
cat > "$T/hog.js" <<'JS'
var keep = [];
function onItemCaptured(data) {
  if (data.stream === "000000000001.pcap") {
    var s = "x";
    while (true) { s = s + s + keep.length; keep.push(s); }
  }
  if (data.stream === "000000000002.pcap") {
    keep = [];
    while (true) new Array(200000).join("y");
  }
  console.log("still here", data.stream, keep.length);
}
JS
start=$(date +%s%N)
wh replay "$T/items.jsonl" -c "$cfg" -s "$T/hog.js" > "$T/out" 2> "$T/err"
end=$(date +%s%N)
assert_eq "[hog.js] still here 000000000003.pcap 0" "$(cat "$T/out")" "the script keeps running"
assert_contains "$(sed -n 1p "$T/err")" "[hog.js:ERROR] (hook=onItemCaptured) " "heap error line"
assert_contains "$(sed -n 1p "$T/err")" "alloc failed" "heap error"
assert_contains "$(sed -n 1p "$T/err")" "(the script heap reached [scripting] max_heap_mb)" "heap error explains itself"
assert_eq "[hog.js:ERROR] (hook=onItemCaptured) RangeError: execution timeout (limit 300 ms)" \
  "$(sed -n 2p "$T/err")" "native loop interrupted"
ms=$(( (end - start) / 1000000 ))
limit=5000; [ "${WH_VALGRIND:-}" = 1 ] && limit=60000
[ "$ms" -lt "$limit" ] || fail "the run took $ms ms; the native loop ran far past its 300 ms"
