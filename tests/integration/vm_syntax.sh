#!/bin/sh
# A script with a syntax error is refused with its file and line; the
# other script still loads and runs; a script that throws at load is
# refused too.  `scripts check` reports the same error.
. "$WH_TOP_SRCDIR/tests/lib.sh"

"$PYTHON3" "$WH_TOP_SRCDIR/tests/tools/gen_items.py" 2 > "$T/items.jsonl"
cfg=$(wh_config </dev/null)
printf 'function ok() {}\n\nfunction onItemCaptured(data) {\n  if (data.x {\n}\n' > "$T/broken.js"
printf 'throw new Error("no config");\n' > "$T/throws.js"
printf 'function onItemCaptured(d) { console.log("good", d.index); }\n' > "$T/good.js"
set +e
wh replay "$T/items.jsonl" -c "$cfg" -s "$T/broken.js" -s "$T/good.js" -s "$T/throws.js" > "$T/out" 2> "$T/err"
rc=$?
set -e
assert_eq 1 "$rc" "exit status when a script was refused"
assert_eq "[good.js] good 0
[good.js] good 0" "$(cat "$T/out")" "the good script ran over both items"
assert_contains "$(cat "$T/err")" "[broken.js:ERROR] load: SyntaxError: " "syntax error line"
assert_contains "$(grep broken.js "$T/err")" "(line 4)" "line of the syntax error"
assert_contains "$(cat "$T/err")" "[throws.js:ERROR] load: Error: no config (at throws.js:1)" "error thrown at load"

set +e
wh scripts check "$T/good.js" "$T/broken.js" > "$T/out" 2> "$T/err"
rc=$?
set -e
assert_eq 1 "$rc" "scripts check exit status"
assert_eq "$T/good.js: ok" "$(cat "$T/out")" "scripts check of the good script"
assert_contains "$(cat "$T/err")" "$T/broken.js: SyntaxError: " "scripts check names the file"
assert_contains "$(cat "$T/err")" "(line 4)" "scripts check names the line"
