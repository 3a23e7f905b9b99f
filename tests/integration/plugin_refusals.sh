#!/bin/sh
# Plugins the host must refuse, each in one line naming the .so and the
# reason, with exit status 2 for commands that run scripts and the reason
# shown by `wirehook plugins`; a good plugin next to a refused one still
# loads; a helper whose plugin is absent exists and throws (DESIGN, "The
# SDK"; runtime spec: "plugin ... is not available").
. "$WH_TOP_SRCDIR/tests/lib.sh"

command -v pkg-config >/dev/null 2>&1 || fail "pkg-config is needed to build the test plugins"
hdr="$WH_TOP_SRCDIR/sdk/wirehook/plugin.h"
maj=$(sed -n 's/^#define WH_ABI_MAJOR \([0-9][0-9]*\).*/\1/p' "$hdr")
min=$(sed -n 's/^#define WH_ABI_MINOR \([0-9][0-9]*\).*/\1/p' "$hdr")
[ -n "$maj" ] && [ -n "$min" ] || fail "cannot read the ABI numbers from $hdr"

# One source, one plugin per set of -D flags.
cat > "$T/tp.c" <<'EOF'
#include <wirehook/plugin.h>
#include <jansson.h>

#ifndef ABI_MAJOR
#define ABI_MAJOR WH_ABI_MAJOR
#endif
#ifndef ABI_MINOR
#define ABI_MINOR WH_ABI_MINOR
#endif
#ifndef PARAMS
#define PARAMS "who:S"
#endif

static int hi(wh_call *call, json_t *const *argv, size_t argc,
              json_t **result) {
  (void)call;
  (void)argc;
  *result = json_sprintf("hi from %s to %s", NAME,
                         json_is_string(argv[0]) ? json_string_value(argv[0])
                                                 : "nobody");
  return WH_OK;
}

static const wh_fn_spec fns[] = {
    {PATH, PARAMS, hi, NULL, "says hi"},
#ifdef PATH2
    {PATH2, "who:S", hi, NULL, "says hi too"},
#endif
};

static int init(wh_plugin *plugin, const wh_api *api) {
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
    if (api->register_fn(plugin, &fns[i]) < 0)
      return -1;
#ifdef FAIL_INIT
  api->log(plugin, WH_LOG_ERROR, "cannot start: %s", FAIL_INIT);
  return -1;
#else
  return 0;
#endif
}

#ifdef NO_INFO
WH_EXPORT const wh_plugin_info not_the_info_symbol = {
#else
WH_EXPORT const wh_plugin_info wirehook_plugin_info = {
#endif
    ABI_MAJOR, ABI_MINOR, NAME, "1.0", "test plugin " NAME, NULL, init, NULL};
EOF

# build DIR FILE NAME PATH [cc flags...]
build() {
  mkdir -p "$1"
  out="$1/$2" name=$3 path=$4
  shift 4
  # shellcheck disable=SC2046
  ${CC:-cc} -shared -fPIC -Wall -Wextra -Werror -I"$WH_TOP_SRCDIR/sdk" \
    $(pkg-config --cflags jansson) -DNAME="\"$name\"" -DPATH="\"$path\"" "$@" \
    -o "$out" "$T/tp.c" $(pkg-config --libs jansson) || fail "compiling $out"
}

mkdir -p "$T/data"
: > "$T/empty.jsonl"
echo 'console.log("script ran");' > "$T/s.js"

# ini DIR: a configuration whose plugin directory is DIR.
ini() {
  printf '[storage]\ndir = %s\n[plugins]\ndir = %s\n' "$T/data" "$1" > "$1.ini"
  echo "$1.ini"
}

# Each case runs in a subshell so that one failure does not hide others.
failed=""
check() {
  set +e
  (set -e; "$@")
  rc=$?
  set -e
  [ "$rc" -eq 0 ] || failed="$failed $1"
}

# refused DIR NAME FILE REASON [LINES BEFORE]: the plugin FILE of DIR (named
# NAME, "?" if unknown) is refused for REASON.  stderr must be exactly the
# lines before (the plugin's own messages) and one line naming FILE.
refused() {
  dir=$1 name=$2 so="$1/$3" reason=$4 before=${5:-}
  cfg=$(ini "$dir")
  line="wirehook: error: plugin $so: $reason"
  expected_err=$(printf '%s%s' "${before:+$before
}" "$line")
  rc=0
  wh replay "$T/empty.jsonl" -c "$cfg" -s "$T/s.js" > "$T/out" 2> "$T/err" || rc=$?
  assert_eq 2 "$rc" "$3: replay exit status"
  assert_eq "" "$(cat "$T/out")" "$3: no script runs after a refusal"
  assert_eq "$expected_err" "$(cat "$T/err")" "$3: replay: one line naming the file and the reason"
  rc=0
  wh_limited run -c "$cfg" -s "$T/s.js" > "$T/out" 2> "$T/err" || rc=$?
  assert_eq 2 "$rc" "$3: run exit status (124 means it did not stop)"
  assert_eq "" "$(cat "$T/out")" "$3: run: no script runs after a refusal"
  assert_eq "$expected_err" "$(cat "$T/err")" "$3: run: one line naming the file and the reason"
  rc=0
  wh plugins -c "$cfg" > "$T/out" 2> "$T/err" || rc=$?
  assert_eq 1 "$rc" "$3: wirehook plugins exit status with a refusal"
  assert_eq "$(printf '%-10s refused: %s (%s)' "$name" "$reason" "$so")" \
    "$(grep -F " refused: " "$T/out")" "$3: wirehook plugins shows the refusal and why"
  assert_eq "$expected_err" "$(cat "$T/err")" "$3: wirehook plugins: the same line on stderr"
}
# `wh` for `run`, which would wait for a signal if the refusal did not stop
# it: the same valgrind options as lib.sh's wh, under timeout(1).
wh_limited() {
  if [ "${WH_VALGRIND:-}" = 1 ]; then
    # shellcheck disable=SC2086
    set -- $WH_VALGRIND_CMD "$WH_BIN" "$@"
  else
    set -- "$WH_BIN" "$@"
  fi
  timeout 300 "$@"
}

rebuild="rebuild it against this wirehook's SDK (pkg-config wirehook-plugin)"

case_minor() {
  build "$T/minor" newminor.so newminor newminor.hi -DABI_MINOR="($min + 1)"
  refused "$T/minor" newminor newminor.so \
    "built for plugin ABI $maj.$((min + 1)), this wirehook provides $maj.$min; $rebuild"
}
case_major() {
  build "$T/major" newmajor.so newmajor newmajor.hi -DABI_MAJOR="($maj + 1)"
  refused "$T/major" newmajor newmajor.so \
    "built for plugin ABI $((maj + 1)).$min, this wirehook provides $maj.$min; $rebuild"
}
case_nosym() {
  build "$T/nosym" nosym.so nosym nosym.hi -DNO_INFO
  refused "$T/nosym" "?" nosym.so \
    "no symbol wirehook_plugin_info: not a wirehook plugin (it must export a wh_plugin_info named wirehook_plugin_info)"
}
case_init() {
  build "$T/init" initfail.so initfail initfail.hi -DFAIL_INIT='"no widget configured"'
  refused "$T/init" initfail initfail.so "init failed (returned -1); see the messages above" \
    "wirehook: error: initfail: cannot start: no widget configured"
}
case_dup() {
  build "$T/dup" dupa.so dupa dup.fn
  build "$T/dup" dupb.so dupb dupb.own -DPATH2='"dup.fn"'
  refused "$T/dup" dupb dupb.so "function dup.fn is already registered by plugin dupa"
  assert_eq "dupa       1.0      test plugin dupa
           $T/dup/dupa.so
           dup.fn(who?)  says hi" "$(grep -v ' refused: ' "$T/out")" "dup: the first plugin keeps the path"
}
case_twin() {
  build "$T/twin" twin1.so twin twin.a
  build "$T/twin" twin2.so twin twin.b
  refused "$T/twin" twin twin2.so "a plugin named \"twin\" is already loaded from $T/twin/twin1.so"
}
case_core() {
  build "$T/core" corens.so corens console.x
  refused "$T/core" corens corens.so \
    "\"console.x\" is not a valid function path (two or more identifiers joined by dots, outside console/test/env/jobs/pcap)"
}
case_params() {
  build "$T/params" badparams.so badparams badparams.f -DPARAMS='"a:s b:q"'
  refused "$T/params" badparams badparams.so \
    "bad params \"a:s b:q\" (expected \"name:kind ...\", kinds s S b j J n)"
}

# A good plugin next to refused ones loads; a path registered by a plugin
# whose init then failed is free again.
case_mixed() {
  build "$T/mixed" early.so early shared.fn -DFAIL_INIT='"gave up"'
  build "$T/mixed" good.so good good.hi -DPATH2='"shared.fn"'
  build "$T/mixed" newminor.so newminor newminor.hi -DABI_MINOR="($min + 1)"
  cfg=$(ini "$T/mixed")
  rc=0
  wh plugins -c "$cfg" > "$T/out" 2> "$T/err" || rc=$?
  assert_eq 1 "$rc" "mixed: wirehook plugins exit status"
  assert_eq "early      refused: init failed (returned -1); see the messages above ($T/mixed/early.so)
good       1.0      test plugin good
           $T/mixed/good.so
           good.hi(who?)  says hi
           shared.fn(who?)  says hi too
newminor   refused: built for plugin ABI $maj.$((min + 1)), this wirehook provides $maj.$min; $rebuild ($T/mixed/newminor.so)" \
    "$(cat "$T/out")" "mixed: the good plugin is listed with its functions"
  assert_eq "wirehook: error: early: cannot start: gave up
wirehook: error: plugin $T/mixed/early.so: init failed (returned -1); see the messages above
wirehook: error: plugin $T/mixed/newminor.so: built for plugin ABI $maj.$((min + 1)), this wirehook provides $maj.$min; $rebuild" \
    "$(cat "$T/err")" "mixed: stderr"
}

# A helper of the spec whose plugin is not loaded exists and throws.
case_absent() {
  build "$T/absent" good.so good good.hi
  cfg=$(ini "$T/absent")
  cat > "$T/absent.js" <<'JS'
console.log(typeof vendor.slack, typeof vendor.s3.put, typeof file.write, good.hi("you"));
[function () { vendor.slack("hi"); },
 function () { vendor.s3.put("a", "b"); },
 function () { file.write("a", "b"); }].forEach(function (f) {
  try { f(); console.log("no exception"); }
  catch (e) { console.log(String(e), e instanceof TypeError); }
});
JS
  rc=0
  wh replay "$T/empty.jsonl" -c "$cfg" -s "$T/absent.js" > "$T/out" 2> "$T/err" || rc=$?
  assert_eq 0 "$rc" "absent: replay exit status"
  assert_eq '[absent.js] function function function hi from good to you
[absent.js] Error: vendor.slack: plugin "slack" is not available false
[absent.js] Error: vendor.s3.put: plugin "s3" is not available false
[absent.js] Error: file.write: plugin "file" is not available false' "$(cat "$T/out")" \
    "absent: helpers of missing plugins throw"
  assert_eq "" "$(cat "$T/err")" "absent: nothing on stderr"
  rc=0
  wh plugins -c "$cfg" > "$T/out" 2> "$T/err" || rc=$?
  assert_eq 0 "$rc" "absent: wirehook plugins exit status"
  assert_eq "good       1.0      test plugin good
           $T/absent/good.so
           good.hi(who?)  says hi" "$(cat "$T/out")" "absent: stubs are not listed as plugins"
}

for c in minor major nosym init dup twin core params mixed absent; do
  check "case_$c"
done
[ -z "$failed" ] || fail "failed cases:$failed"
