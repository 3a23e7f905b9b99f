#!/bin/sh
# kfl.match and kfl.validate from scripts (runtime.md §8.5, kfl.md): HTTP
# 500s, DNS names by regex, header helpers, redact() ignored by kfl.match,
# validate's console line, and match's line:column syntax error.
. "$WH_TOP_SRCDIR/tests/lib.sh"

"$PYTHON3" "$WH_TOP_SRCDIR/tests/tools/gen_items.py" 60 3 > "$T/items.jsonl"
cfg=$(wh_config </dev/null)
cat > "$T/kfl.js" <<'JS'
var seen = 0;
function onItemCaptured(data) {
  if (kfl.match('http and response.status == 500', data))
    console.log('500', data.id);
  if (kfl.match('dns and request.questions.*.name == r".*\\.svc\\.cluster\\.local"', data))
    console.log('dns', data.id);
  if (data.request.headers) {
    data.request.headers.Authorization = 'Bearer secret';
    var ua = kfl.match('request.headers["User-Agent"].contains("curl")', data);
    var r = kfl.match('redact("request.headers.Authorization") and request.headers.Authorization == "Bearer secret"', data);
    if (seen++ === 0)
      console.log('ua', ua, 'redacted-match', r, 'auth', data.request.headers.Authorization);
  }
}
console.log('valid', kfl.validate('http and (response.status >= 500)'));
console.log('invalid', kfl.validate('http and ?', true));
console.log('invalid-loud', kfl.validate('a[3.14]'));
try {
  kfl.match('abc ? 1', {});
  console.log('no throw');
} catch (e) {
  console.log('thrown', String(e));
}
JS
expected=$("$PYTHON3" - "$T/items.jsonl" <<'PY'
import json, sys, re
print("[kfl.js] valid true")
print("[kfl.js] invalid false")
print("[kfl.js:ERROR] 1:3: unexpected token \"3.14\" (expected (<string> | <char> | <rawstring> | \"*\") \"]\")")
print("[kfl.js] invalid-loud false")
print("[kfl.js] thrown Error: kfl.match: 1:5: unexpected token \"?\"")
first = True
for line in open(sys.argv[1]):
    i = json.loads(line)
    if i["protocol"]["abbr"] == "HTTP" and i["response"].get("status") == 500:
        print("[kfl.js] 500 %s" % i["id"])
    if i["protocol"]["abbr"] == "DNS" and any(re.search(r".*\.svc\.cluster\.local", q["name"]) for q in i["request"]["questions"]):
        print("[kfl.js] dns %s" % i["id"])
    if "headers" in i["request"] and first:
        first = False
        print("[kfl.js] ua true redacted-match false auth Bearer secret")
PY
)
actual=$(wh replay "$T/items.jsonl" -c "$cfg" -s "$T/kfl.js" 2>&1 | grep '^\[kfl.js')
assert_eq "$expected" "$actual" "kfl helpers from a script"
assert_contains "$actual" "[kfl.js] 500 " "at least one 500"
assert_contains "$actual" "[kfl.js] dns " "at least one DNS item"
