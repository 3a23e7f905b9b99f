#!/bin/sh
# The SDK as a vendor sees it: install this build into a staging root, build
# sdk/examples/hello out of tree with nothing but its Makefile and the
# installed wirehook-plugin.pc, install it into the staged plugin directory,
# and load it (DESIGN, "The SDK").
. "$WH_TOP_SRCDIR/tests/lib.sh"

command -v pkg-config >/dev/null 2>&1 || fail "pkg-config is needed to build the SDK example"

# 1. The installed SDK.
make -C "$WH_TOP_BUILDDIR" install DESTDIR="$T/inst" > "$T/install.log" 2>&1 ||
  { cat "$T/install.log" >&2; fail "make install DESTDIR=$T/inst"; }
pcs=$(find "$T/inst" -name wirehook-plugin.pc)
[ -n "$pcs" ] || fail "make install installed no wirehook-plugin.pc"
assert_eq 1 "$(printf '%s\n' "$pcs" | wc -l | tr -d ' ')" "one wirehook-plugin.pc installed"
find "$T/inst" -path '*/include/wirehook/plugin.h' | grep -q . ||
  fail "make install installed no wirehook/plugin.h"

# A copy of the .pc whose absolute paths point into the staging root, as if
# the package had been installed there.
mkdir -p "$T/pc"
sed "s|^\([A-Za-z_][A-Za-z0-9_]*\)=/|\1=$T/inst/|" "$pcs" > "$T/pc/wirehook-plugin.pc"
PKG_CONFIG_PATH="$T/pc${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_PATH
plugindir=$(pkg-config --variable=plugindir wirehook-plugin)
case "$plugindir" in
"$T/inst/"*) ;;
*) fail "plugindir of the staged .pc is outside the staging root: $plugindir" ;;
esac
cflags=$(pkg-config --cflags wirehook-plugin)
assert_contains "$cflags" "-I$T/inst/" "the SDK's include directory comes from the staging root"
[ -f "$plugindir/file.so" ] || fail "the file plugin is not installed in the .pc's plugindir $plugindir"

# 2. The example, built out of tree with only its Makefile (warnings are
# errors: the example is what vendors copy).
cp -R "$WH_TOP_SRCDIR/sdk/examples/hello" "$T/hello"
chmod -R u+w "$T/hello"
rm -f "$T/hello/hello.so"
make -C "$T/hello" CFLAGS='-O2 -g -Wall -Wextra -Werror' > "$T/hello/build.log" 2>&1 ||
  { cat "$T/hello/build.log" >&2; fail "building sdk/examples/hello out of tree"; }
make -C "$T/hello" install > "$T/hello/install.log" 2>&1 ||
  { cat "$T/hello/install.log" >&2; fail "make install of the example"; }
[ -f "$plugindir/hello.so" ] || fail "make install put no hello.so into $plugindir"
if command -v nm >/dev/null 2>&1; then
  assert_eq wirehook_plugin_info \
    "$(nm -D --defined-only "$plugindir/hello.so" | awk '$2 ~ /^[A-Z]$/ && $2 != "A" { print $3 }')" \
    "hello.so exports only wirehook_plugin_info"
fi

# 3. Loading it.
mkdir -p "$T/data"
: > "$T/empty.jsonl"
base_ini() {
  printf '[storage]\ndir = %s\n[plugins]\ndir = %s\n' "$T/data" "$plugindir"
}
base_ini > "$T/default.ini"
{ base_ini; printf '[plugin.hello]\ngreeting = Hi\n'; } > "$T/hi.ini"

rc=0
wh plugins -c "$T/default.ini" > "$T/out" 2> "$T/err" || rc=$?
assert_eq 0 "$rc" "wirehook plugins exit status"
assert_eq "hello      1.0.0    example plugin from the wirehook SDK
           $plugindir/hello.so
           hello.greet(name, punctuation?)  returns \"<greeting>, <name><punctuation>\" (punctuation defaults to !)
           hello.sum(values)  returns the sum of an array of numbers" \
  "$(grep -A3 '^hello ' "$T/out")" "wirehook plugins lists hello, its version and functions"
assert_contains "$(cat "$T/out")" "$plugindir/file.so" "the installed file plugin is listed next to it"
assert_eq 'wirehook: info: hello: ready, greeting "Hello"' "$(cat "$T/err")" \
  "hello logs one line at init, prefixed with its name"

cat > "$T/greet.js" <<'JS'
console.log(hello.greet("x"));
console.log(hello.greet("world", "?"));
console.log(hello.greet(42, null));
console.log(hello.sum([1, 2, 3.5]), hello.sum([]), hello.sum([-1, 1e3]));
function show(f) {
  try { f(); console.log("no exception"); }
  catch (e) { console.log(e.name + "|" + e.message + "|" + (e instanceof TypeError)); }
}
show(function () { hello.sum("x"); });
show(function () { hello.sum({a: 1}); });
show(function () { hello.sum([1, "2"]); });
show(function () { hello.greet(); });
try { hello.greet(); } catch (e) { console.log(String(e)); }
JS
expected_tail='[greet.js] 6.5 0 999
[greet.js] TypeError|hello.sum: values must be an array of numbers|true
[greet.js] TypeError|hello.sum: values must be an array of numbers|true
[greet.js] TypeError|hello.sum: values[1] is not a number|true
[greet.js] TypeError|hello.greet: name is required|true
[greet.js] TypeError: hello.greet: name is required'

rc=0
wh replay "$T/empty.jsonl" -c "$T/default.ini" -s "$T/greet.js" > "$T/out" 2> "$T/err" || rc=$?
assert_eq 0 "$rc" "replay with hello loaded: exit status"
assert_eq "[greet.js] Hello, x!
[greet.js] Hello, world?
[greet.js] Hello, 42!
$expected_tail" "$(cat "$T/out")" "hello.greet and hello.sum with the default greeting"
assert_eq 'wirehook: info: hello: ready, greeting "Hello"' "$(cat "$T/err")" "stderr with the default greeting"

rc=0
wh replay "$T/empty.jsonl" -c "$T/hi.ini" -s "$T/greet.js" > "$T/out" 2> "$T/err" || rc=$?
assert_eq 0 "$rc" "replay with [plugin.hello] greeting = Hi: exit status"
assert_eq "[greet.js] Hi, x!
[greet.js] Hi, world?
[greet.js] Hi, 42!
$expected_tail" "$(cat "$T/out")" "[plugin.hello] greeting = Hi changes the greeting"
assert_eq 'wirehook: info: hello: ready, greeting "Hi"' "$(cat "$T/err")" "stderr with greeting = Hi"

# 4. A key the plugin did not declare: one line naming file and line.
{ base_ini; printf '[plugin.hello]\ngreeting = Hi\ngreting = Hey\n'; } > "$T/bad.ini"
line=$(grep -n '^greting' "$T/bad.ini" | cut -d: -f1)
for cmd in replay plugins; do
  rc=0
  if [ "$cmd" = replay ]; then
    wh replay "$T/empty.jsonl" -c "$T/bad.ini" -s "$T/greet.js" > "$T/out" 2> "$T/err" || rc=$?
    assert_eq 2 "$rc" "replay with an unknown [plugin.hello] key: exit status"
    assert_eq "" "$(cat "$T/out")" "no script runs when a plugin is refused"
  else
    wh plugins -c "$T/bad.ini" > "$T/out" 2> "$T/err" || rc=$?
    assert_eq 1 "$rc" "wirehook plugins with a refused plugin: exit status"
    assert_eq "hello      refused: $T/bad.ini:$line: [plugin.hello] greting: unknown key; use one of greeting ($plugindir/hello.so)" \
      "$(grep '^hello ' "$T/out")" "wirehook plugins shows why hello was refused"
  fi
  assert_eq "wirehook: error: plugin $plugindir/hello.so: $T/bad.ini:$line: [plugin.hello] greting: unknown key; use one of greeting" \
    "$(cat "$T/err")" "$cmd: an unknown [plugin.hello] key is refused in one line"
done
