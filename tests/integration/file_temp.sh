#!/bin/sh
# file.temp and file.mkdirTemp: names (random decimal digits, the '*' rule,
# extension defaults), modes, that each call makes a new entry, and errors.
. "$WH_TOP_SRCDIR/tests/lib.sh"
umask 022 # the modes checked below assume it

cfg=$(wh_config </dev/null)
data=$T/data
: > "$T/items.jsonl"
mkdir -p "$data/sub"
echo keep > "$data/plain.txt"

cat > "$T/temp.js" <<'EOF'
function attempt(f) {
  try { console.log(f()); } catch (e) { console.log(String(e)); }
}
console.log(file.temp());
console.log(file.temp("data", "", "json"));
console.log(file.temp("data", "sub", ".json"));
console.log(file.temp("x", null, null));
console.log(file.temp("x", undefined, ""));
console.log(file.temp("x", ".", "."));
console.log(file.temp("", "./sub/", "tar.gz"));
console.log(file.mkdirTemp());
console.log(file.mkdirTemp("snap"));
console.log(file.mkdirTemp("pre*suf", "sub"));
console.log(file.mkdirTemp("a*b*c", "sub/"));
console.log(file.mkdirTemp(undefined, "sub"));
var a = file.temp("same"), b = file.temp("same");
console.log(a === b ? "temp: same name twice" : "temp: two names");
a = file.mkdirTemp("same"); b = file.mkdirTemp("same");
console.log(a === b ? "mkdirTemp: same name twice" : "mkdirTemp: two names");
attempt(function () { return file.temp("x", "missing"); });
attempt(function () { return file.temp("x", "plain.txt"); });
attempt(function () { return file.temp("a/b"); });
attempt(function () { return file.temp("x", "", "a/b"); });
attempt(function () { return file.mkdirTemp("x", "missing"); });
attempt(function () { return file.mkdirTemp("a/b"); });
EOF

wh replay "$T/items.jsonl" -c "$cfg" -s "$T/temp.js" >"$T/out" 2>"$T/stderr"
assert_eq "" "$(grep -v '^--[0-9]*-- ' "$T/stderr" || :)" "stderr"
# The random part is decimal digits: shown here as N.
assert_eq '[temp.js] N.txt
[temp.js] dataN.json
[temp.js] sub/dataN.json
[temp.js] xN.txt
[temp.js] xN.txt
[temp.js] xN.txt
[temp.js] sub/N.tar.gz
[temp.js] N
[temp.js] snapN
[temp.js] sub/preNsuf
[temp.js] sub/a*bNc
[temp.js] sub/N
[temp.js] temp: two names
[temp.js] mkdirTemp: two names
[temp.js] Error: file.temp: missing: No such file or directory
[temp.js] Error: file.temp: plain.txt: Not a directory
[temp.js] TypeError: file.temp: name "a/b" contains a path separator
[temp.js] TypeError: file.temp: extension "a/b" contains a path separator
[temp.js] Error: file.mkdirTemp: missing: No such file or directory
[temp.js] TypeError: file.mkdirTemp: name "a/b" contains a path separator' \
  "$(sed 's/[0-9][0-9]*/N/g' "$T/out")" "console output"

# Each returned path exists with the right type and mode: the first seven
# lines are files (empty, 0600), the next five directories (0700).
sed -n 's/^\[temp\.js\] //p' "$T/out" | head -7 > "$T/files"
sed -n 's/^\[temp\.js\] //p' "$T/out" | sed -n '8,12p' > "$T/dirs"
while read -r p; do
  [ -f "$data/$p" ] || fail "temp file $p missing"
  assert_eq "600 0" "$(stat -c '%a %s' "$data/$p")" "mode and size of $p"
done < "$T/files"
while read -r p; do
  [ -d "$data/$p" ] || fail "temp directory $p missing"
  assert_eq "700" "$(stat -c %a "$data/$p")" "mode of $p"
done < "$T/dirs"
assert_eq "keep" "$(cat "$data/plain.txt")" "plain.txt untouched"
