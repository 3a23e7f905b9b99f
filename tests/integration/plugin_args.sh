#!/bin/sh
# What a plugin function receives for each parameter kind (sdk plugin.h,
# wh_fn_spec): ToString for s/S, raw bytes for b, JSON rules for j/J, the
# lazy item passed whole (changed or not), ToNumber for n; and what
# api->console, api->throw_error and api->throw_type give the script.
. "$WH_TOP_SRCDIR/tests/lib.sh"

command -v pkg-config >/dev/null 2>&1 || fail "pkg-config is needed to build the test plugin"

cat > "$T/args.c" <<'EOF'
#include <wirehook/plugin.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static const wh_api *api;

/* The arguments as one JSON text: what the plugin received. */
static int dump(wh_call *call, json_t *const *argv, size_t argc,
                json_t **result) {
  json_t *a = json_array();
  for (size_t i = 0; i < argc; i++)
    json_array_append(a, argv[i]);
  char *text = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
  json_decref(a);
  if (!text)
    return api->throw_error(call, "json_dumps failed");
  *result = json_string(text);
  free(text);
  return *result ? WH_OK : api->throw_error(call, "not UTF-8");
}

/* "<length>:<hex>" of a string argument's bytes. */
static int hex(wh_call *call, json_t *const *argv, size_t argc,
               json_t **result) {
  (void)argc;
  const char *s = json_string_value(argv[0]);
  size_t n = json_string_length(argv[0]);
  char *out = malloc(2 * n + 32);
  if (!s || !out) {
    free(out);
    return api->throw_type(call, "not a string");
  }
  int len = snprintf(out, 32, "%zu:", n);
  for (size_t i = 0; i < n; i++)
    snprintf(out + len + 2 * i, 3, "%02x", (unsigned char)s[i]);
  *result = json_string(out);
  free(out);
  return WH_OK;
}

/* Returns its argument unchanged (JS -> JSON -> JS). */
static int echo(wh_call *call, json_t *const *argv, size_t argc,
                json_t **result) {
  (void)call;
  (void)argc;
  *result = json_incref(argv[0]);
  return WH_OK;
}

static int say(wh_call *call, json_t *const *argv, size_t argc,
               json_t **result) {
  (void)argc;
  (void)result;
  api->console(call, 0, "%s (from %s)", json_string_value(argv[0]),
               api->call_name(call));
  api->console(call, 1, "%s, as an error", json_string_value(argv[0]));
  return WH_OK;
}

static int fail_error(wh_call *call, json_t *const *argv, size_t argc,
                      json_t **result) {
  (void)argc;
  (void)result;
  return api->throw_error(call, "%s went wrong", json_string_value(argv[0]));
}

static int fail_type(wh_call *call, json_t *const *argv, size_t argc,
                     json_t **result) {
  (void)argc;
  (void)result;
  return api->throw_type(call, "%s has the wrong type", json_string_value(argv[0]));
}

/* Fails without throw_*: the host must still throw. */
static int fail_code(wh_call *call, json_t *const *argv, size_t argc,
                     json_t **result) {
  (void)call;
  (void)argv;
  (void)argc;
  *result = json_string("dropped");
  return -5;
}

static const wh_fn_spec fns[] = {
    {"args.s", "v:s", dump, NULL, "s"},
    {"args.S", "v:S", dump, NULL, "S"},
    {"args.b", "v:b", hex, NULL, "b as hex"},
    {"args.j", "v:j", dump, NULL, "j"},
    {"args.J", "v:J", dump, NULL, "J"},
    {"args.n", "v:n", dump, NULL, "n"},
    {"args.all", "a:s b:S c:b d:j e:J f:n", dump, NULL, "every kind"},
    {"args.none", "", dump, NULL, "no parameters"},
    {"args.echo", "v:J", echo, NULL, "returns v"},
    {"args.deep.say", "text:s", say, NULL, "console lines"},
    {"args.error", "text:s", fail_error, NULL, "throw_error"},
    {"args.type", "text:s", fail_type, NULL, "throw_type"},
    {"args.code", "", fail_code, NULL, "returns -5"},
};

static int init(wh_plugin *plugin, const wh_api *host) {
  api = host;
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
    if (api->register_fn(plugin, &fns[i]) < 0)
      return -1;
  return 0;
}

WH_EXPORT const wh_plugin_info wirehook_plugin_info = {
    WH_ABI_MAJOR, WH_ABI_MINOR, "args", "1.0", "echoes its arguments",
    NULL, init, NULL};
EOF
mkdir -p "$T/p" "$T/data"
# shellcheck disable=SC2046
${CC:-cc} -shared -fPIC -Wall -Wextra -Werror -I"$WH_TOP_SRCDIR/sdk" $(pkg-config --cflags jansson) \
  -o "$T/p/args.so" "$T/args.c" $(pkg-config --libs jansson) || fail "compiling the test plugin"
printf '[storage]\ndir = %s\n[plugins]\ndir = %s\n' "$T/data" "$T/p" > "$T/wirehook.ini"
: > "$T/empty.jsonl"

# run SCRIPT.js [ITEMS]: replays ITEMS (default none) with SCRIPT; stdout
# in $T/out, stderr in $T/err, exit status in $rc.
run() {
  rc=0
  wh replay "${2:-$T/empty.jsonl}" -c "$T/wirehook.ini" -s "$T/$1" > "$T/out" 2> "$T/err" || rc=$?
}

# --- s, S, n, none, all ---
cat > "$T/strings.js" <<'JS'
function t(f) {
  try { console.log(f()); } catch (e) { console.log(String(e), e instanceof TypeError); }
}
t(function () { return args.s("plain"); });
t(function () { return args.s(1.5); });
t(function () { return args.s(-0); });
t(function () { return args.s(1e21); });
t(function () { return args.s(7); });
t(function () { return args.s(NaN); });
t(function () { return args.s(true); });
t(function () { return args.s({a: 1}); });
t(function () { return args.s([1, [2, 3]]); });
t(function () { return args.s({toString: function () { return "custom"; }}); });
t(function () { return args.s("caf\u00e9 \ud83d\ude00 \"q\"\n"); });
t(function () { return args.s("a", "extra", "ignored"); });
t(function () { return args.s(); });
t(function () { return args.s(null); });
t(function () { return args.s(undefined); });
t(function () { return args.s({toString: function () { throw new RangeError("nope"); }}); });
t(function () { return args.S(); });
t(function () { return args.S(null); });
t(function () { return args.S(undefined); });
t(function () { return args.S(false); });
t(function () { return args.S(""); });
t(function () { return args.n(); });
t(function () { return args.n(42); });
t(function () { return args.n("2.5"); });
t(function () { return args.n(true); });
t(function () { return args.none(1, 2); });
t(function () { return args.all("x", undefined, "y", [1], undefined, 3); });
t(function () { return args.all("x"); });
JS
run strings.js
assert_eq 0 "$rc" "s/S/n: exit status"
assert_eq '[strings.js] ["plain"]
[strings.js] ["1.5"]
[strings.js] ["0"]
[strings.js] ["1e+21"]
[strings.js] ["7"]
[strings.js] ["NaN"]
[strings.js] ["true"]
[strings.js] ["[object Object]"]
[strings.js] ["1,2,3"]
[strings.js] ["custom"]
[strings.js] ["café 😀 \"q\"\n"]
[strings.js] ["a"]
[strings.js] TypeError: args.s: v is required true
[strings.js] TypeError: args.s: v is required true
[strings.js] TypeError: args.s: v is required true
[strings.js] RangeError: nope false
[strings.js] [null]
[strings.js] [null]
[strings.js] [null]
[strings.js] ["false"]
[strings.js] [""]
[strings.js] [null]
[strings.js] [42.0]
[strings.js] [2.5]
[strings.js] [1.0]
[strings.js] []
[strings.js] ["x",null,"y",[1],null,3.0]
[strings.js] TypeError: args.all: c is required true' "$(cat "$T/out")" "s/S/n conversions"
assert_eq "" "$(cat "$T/err")" "s/S/n: stderr"

# --- b: raw bytes of buffers, UTF-8 of anything else ---
cat > "$T/bytes.js" <<'JS'
function t(f) {
  try { console.log(f()); } catch (e) { console.log(String(e), e instanceof TypeError); }
}
t(function () { return args.b(new Uint8Array([0x41, 0, 0xff, 0x80, 0x7f])); });
t(function () { return args.b(new Uint8Array([1, 2, 3, 4, 5]).subarray(1, 4)); });
t(function () { return args.b(new Uint8Array([0, 0xfe]).buffer); });
t(function () { return args.b(new Uint8Array(0)); });
t(function () { return args.b("A\u0000B"); });
t(function () { return args.b("\u00ff"); });
t(function () { return args.b("\ud83d\ude00"); });
t(function () { return args.b("\ud800"); });
t(function () { return args.b(12); });
t(function () { return args.b(); });
JS
run bytes.js
assert_eq 0 "$rc" "b: exit status"
assert_eq '[bytes.js] 5:4100ff807f
[bytes.js] 3:020304
[bytes.js] 2:00fe
[bytes.js] 0:
[bytes.js] 3:410042
[bytes.js] 2:c3bf
[bytes.js] 4:f09f9880
[bytes.js] 3:efbfbd
[bytes.js] 2:3132
[bytes.js] TypeError: args.b: v is required true' "$(cat "$T/out")" "b conversions"
assert_eq "" "$(cat "$T/err")" "b: stderr"

# --- j, J: JSON rules ---
cat > "$T/json.js" <<'JS'
function t(f) {
  try { console.log(f()); } catch (e) { console.log(String(e), e instanceof TypeError); }
}
var mixed = {a: 1, f: function () {}, u: undefined, n: null, d: new Date(0),
             arr: [1, [2, [3, []]], undefined, function () {}], s: "x\u00e9", b: false,
             half: 0.5, inf: Infinity, nan: NaN, neg: -3,
             o: {toJSON: function () { return {replaced: true}; }}};
t(function () { return args.j(mixed); });
t(function () { return args.j(mixed) === "[" + JSON.stringify(mixed) + "]"; });
t(function () { return args.j([[1, [2, [3, [4, [5]]]]], {}, []]); });
t(function () { return args.j(new Date(Date.UTC(2024, 1, 29, 12, 30, 0, 5))); });
t(function () { return args.j("str"); });
t(function () { return args.j(3); });
t(function () { return args.j(null); });
t(function () { return args.j(); });
t(function () { return args.J(); });
t(function () { return args.J(undefined); });
t(function () { return args.J({k: undefined}); });
var cyc = {name: "c"}; cyc.self = cyc;
t(function () { return args.j(cyc); });
var cycArr = [1]; cycArr.push(cycArr);
t(function () { return args.J(cycArr); });
// A getter or toJSON that throws: the exception reaches the script, and
// what was converted before it is freed (WH_VALGRIND=1 checks).
t(function () { return args.j({a: [1, {b: "x"}], get c() { throw new RangeError("getter"); }}); });
t(function () { return args.J([{a: "s"}, {toJSON: function () { throw new Error("toJSON"); }}]); });
function nest(n) { var o = {}; for (var i = 0; i < n; i++) o = {k: o}; return o; }
t(function () { return args.j(nest(60)).length + " " + args.J([nest(30), nest(30)]).length; });
t(function () { return args.j(nest(100)); });
try { args.j(cyc); } catch (e) {
  console.log(e.name, /cyclic/.test(e.message), e.message.indexOf("args.j: v: ") === 0);
}
var e = args.echo({x: [1, 2.5, "s", null, true, {y: {}}]});
console.log(JSON.stringify(e), Array.isArray(e.x), typeof e.x[1]);
console.log(args.echo("text"), args.echo(7), args.echo(null), args.echo());
JS
run json.js
assert_eq 0 "$rc" "j: exit status"
assert_eq '[json.js] [{"a":1,"n":null,"d":"1970-01-01T00:00:00.000Z","arr":[1,[2,[3,[]]],null,null],"s":"xé","b":false,"half":0.5,"inf":null,"nan":null,"neg":-3,"o":{"replaced":true}}]
[json.js] true
[json.js] [[[1,[2,[3,[4,[5]]]]],{},[]]]
[json.js] ["2024-02-29T12:30:00.005Z"]
[json.js] ["str"]
[json.js] [3]
[json.js] TypeError: args.j: v is required true
[json.js] TypeError: args.j: v is required true
[json.js] [null]
[json.js] [null]
[json.js] [{}]
[json.js] TypeError: args.j: v: value is cyclic or nested deeper than 64 levels true
[json.js] TypeError: args.J: v: value is cyclic or nested deeper than 64 levels true
[json.js] RangeError: getter false
[json.js] Error: toJSON false
[json.js] 364 369
[json.js] TypeError: args.j: v: value is cyclic or nested deeper than 64 levels true
[json.js] TypeError true true
[json.js] {"x":[1,2.5,"s",null,true,{"y":{}}]} true number
[json.js] text 7 null null' "$(cat "$T/out")" "j/J conversions"
assert_eq "" "$(cat "$T/err")" "j: stderr"

# --- the lazy item ---
item='{"id":"it-1","index":7,"protocol":{"name":"http","version":"1.1"},"request":{"method":"GET","path":"/caf\u00e9","headers":{"Host":"example.com"},"queryString":{}},"response":{"status":200,"body":"ok","headers":{}},"elapsedTime":1.5,"passed":false,"tags":["a","b"],"nothing":null}'
printf '%s\n' "$item" > "$T/items.jsonl"
# The same item as jansson writes it (compact, UTF-8 as is).
item_out=$(printf '%s' "$item" | sed 's/\\u00e9/é/')
cat > "$T/item.js" <<'JS'
function onItemCaptured(data) {
  console.log(args.J(data));
  console.log(args.j(data.request));
  console.log(data.response.status, data.request.method);
  console.log(args.j(data));
  data.x = 1;
  delete data.id;
  console.log(args.j(data));
  data.request.path = "/changed";
  data.tags.push("c");
  console.log(args.j(data));
  console.log(args.j({wrapped: data.response}));
  console.log(args.j(data) === "[" + JSON.stringify(data) + "]");
}
JS
run item.js "$T/items.jsonl"
assert_eq 0 "$rc" "item: exit status"
changed1=$(printf '%s' "$item_out" | sed 's/"id":"it-1",//; s/}$/,"x":1}/')
changed2=$(printf '%s' "$changed1" | sed 's|"path":"/café"|"path":"/changed"|; s/"tags":\["a","b"\]/"tags":["a","b","c"]/')
assert_eq "[item.js] [$item_out]
[item.js] [{\"method\":\"GET\",\"path\":\"/café\",\"headers\":{\"Host\":\"example.com\"},\"queryString\":{}}]
[item.js] 200 GET
[item.js] [$item_out]
[item.js] [$changed1]
[item.js] [$changed2]
[item.js] [{\"wrapped\":{\"status\":200,\"body\":\"ok\",\"headers\":{}}}]
[item.js] true" "$(cat "$T/out")" "the item reaches the plugin as it is, and with the script's changes"
assert_eq "" "$(cat "$T/err")" "item: stderr"

# --- console and errors from the plugin ---
cat > "$T/one.js" <<'JS'
args.deep.say("loading");
function onItemCaptured(data) { args.deep.say("hook of one"); }
function t(f) {
  try { f(); console.log("no exception"); }
  catch (e) { console.log(String(e) + "|" + e.name + "|" + (e instanceof TypeError) + "|" + (e instanceof Error)); }
}
t(function () { args.error("the disk"); });
t(function () { args.type("the answer"); });
t(function () { args.code(); });
JS
echo 'function onItemCaptured(data) { args.deep.say("hook of two"); }' > "$T/two.js"
rc=0
wh replay "$T/items.jsonl" -c "$T/wirehook.ini" -s "$T/one.js" -s "$T/two.js" > "$T/out" 2> "$T/err" || rc=$?
assert_eq 0 "$rc" "console: exit status"
assert_eq '[one.js] loading (from args.deep.say)
[one.js] Error: args.error: the disk went wrong|Error|false|true
[one.js] TypeError: args.type: the answer has the wrong type|TypeError|true|true
[one.js] Error: args.code: failed (code -5)|Error|false|true
[one.js] hook of one (from args.deep.say)
[two.js] hook of two (from args.deep.say)' "$(cat "$T/out")" "api->console lines go to the calling script's console"
assert_eq '[one.js:ERROR] loading, as an error
[one.js:ERROR] hook of one, as an error
[two.js:ERROR] hook of two, as an error' "$(cat "$T/err")" "api->console error lines"
