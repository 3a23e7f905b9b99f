#!/bin/sh
# A script that marks HTTP 500s with test.fail and logs them prints exactly
# the 500s of a generated items file, in file order.
. "$WH_TOP_SRCDIR/tests/lib.sh"

"$PYTHON3" "$WH_TOP_SRCDIR/tests/tools/gen_items.py" 500 7 > "$T/items.jsonl"
cfg=$(wh_config </dev/null)
cat > "$T/fail500.js" <<'JS'
function onItemCaptured(data) {
  if (data.response.status === 500) {
    test.fail(data);
    console.log(data.id, data.failed, data.request.method, data.request.path);
  }
}
JS
expected=$("$PYTHON3" - "$T/items.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    i = json.loads(line)
    if i["response"].get("status") == 500:
        print("[fail500.js] %s true %s %s" % (i["id"], i["request"]["method"], i["request"]["path"]))
PY
)
[ -n "$expected" ] || fail "the generated file has no 500s"
actual=$(wh replay "$T/items.jsonl" -c "$cfg" -s "$T/fail500.js")
assert_eq "$expected" "$actual" "the 500s printed by the script"
