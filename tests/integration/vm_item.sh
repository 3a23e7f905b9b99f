#!/bin/sh
# The lazy item behaves like a plain object for scripts: stringify,
# keys and their order, for-in, `in`, assignment, delete, nested changes,
# references kept after the hook, hasOwnProperty, and every script gets
# its own copy.
. "$WH_TOP_SRCDIR/tests/lib.sh"

"$PYTHON3" "$WH_TOP_SRCDIR/tests/tools/gen_items.py" 5 3 > "$T/items.jsonl"
cfg=$(wh_config </dev/null)
cat > "$T/a.js" <<'JS'
var kept = [];
function onItemCaptured(data) {
  console.log("json", JSON.stringify(data));
  if (data.protocol.name !== "http") return;
  var keys = Object.keys(data), forin = [];
  for (var k in data) forin.push(k);
  console.log("keys", keys.join(","), forin.join(",") === keys.join(","));
  console.log("in", "request" in data, "nope" in data, data.hasOwnProperty("tls"),
              data.hasOwnProperty("nope"), typeof data.toString);
  console.log("nested", data.response.status, data.request.pathSegments.length,
              data.response === data.response, Object.keys(data.response.headers).join(","));
  data.response.status = 599;
  delete data.tls;
  data.extra = {a: [1, 2]};
  console.log("changed", data.response.status, data.tls, "tls" in data, data.extra.a[1],
              Object.keys(data).slice(-2).join(","));
  test.pass(data);
  kept.push(data);
  if (kept.length === 2) console.log("kept", kept[0].id, kept[0].response.status, kept[0].passed);
}
JS
cat > "$T/b.js" <<'JS'
function onItemCaptured(data) {
  console.log("copy", typeof data.response, data.tls, data.extra, data.passed);
}
JS
wh replay "$T/items.jsonl" -c "$cfg" -s "$T/a.js" -s "$T/b.js" > "$T/out"

# JSON.stringify of an untouched item is the item as stored.
"$PYTHON3" - "$T/items.jsonl" "$T/out" <<'PY'
import json, sys
items = [json.loads(l) for l in open(sys.argv[1])]
out = [l.rstrip("\n") for l in open(sys.argv[2])]
js = [json.loads(l.split(" ", 2)[2]) for l in out if l.startswith("[a.js] json ")]
assert js == items, "stringify differs from the stored items"
raw = [l.split(" ", 2)[2] for l in out if l.startswith("[a.js] json ")]
src = [l.rstrip("\n") for l in open(sys.argv[1])]
assert raw == src, "key order or spacing differs:\n%s\n%s" % (raw[0], src[0])
PY

first=$(head -1 "$T/items.jsonl")
keys=$("$PYTHON3" -c 'import json,sys; print(",".join(json.loads(sys.argv[1]).keys()))' "$first")
assert_contains "$(cat "$T/out")" "[a.js] keys $keys true" "Object.keys and for-in in item order"
assert_contains "$(cat "$T/out")" "[a.js] in true false true false function" "in / hasOwnProperty"
assert_contains "$(cat "$T/out")" "[a.js] nested 200 4 true Content-Type" "nested fields"
assert_contains "$(cat "$T/out")" "[a.js] changed 599 undefined false 2 failed,extra" "assignment and delete"
assert_contains "$(cat "$T/out")" "[a.js] kept 10.0.0.5:8897/000000000001.pcap-0 599 true" "references kept after the hook"
assert_eq "5" "$(grep -c '^\[b.js\] copy object false undefined false$' "$T/out")" "the other script sees unchanged copies"
