#!/bin/sh
# console.log / console.error formatting (runtime.md §5).
. "$WH_TOP_SRCDIR/tests/lib.sh"

cfg=$(printf "[scripting]\nhook_timeout_ms = 60000\n" | wh_config)
: > "$T/empty.jsonl"
cat > "$T/c.js" <<'JS'
// console formatting
var cyc = {}; cyc.self = cyc;
console.log("s", 1.5, true, null, undefined, {a: [1, "x"]}, [1, {b: 2}], new TypeError("bad"));
console.log(cyc);
console.log(function () {} === undefined, NaN, -0, 1e21);
console.log("multi\nline");
console.error("oops", {code: 7});
var big = new Array(70000).join("x");
console.log(big);
console.log();
JS
wh replay "$T/empty.jsonl" -c "$cfg" -s "$T/c.js" > "$T/out" 2> "$T/err"
assert_eq '[c.js] s 1.5 true null undefined {"a":[1,"x"]} [1,{"b":2}] TypeError: bad
[c.js] [object Object]
[c.js] false NaN 0 1e+21
[c.js] multi
line' "$(head -5 "$T/out")" "formatted lines"
assert_eq '[c.js:ERROR] oops {"code":7}' "$(cat "$T/err")" "console.error goes to stderr"
long=$(sed -n 6p "$T/out")
# 64 KiB of text, then the ellipsis (3 bytes), after the 7-byte prefix.
assert_eq $((7 + 65536 + 3)) "$(printf '%s' "$long" | wc -c)" "long line cut at 64 KiB"
assert_contains "$long" "xxx…" "cut line ends with an ellipsis"
assert_eq "[c.js] " "$(sed -n 7p "$T/out")" "console.log() prints an empty text"
