#!/bin/sh
# Script and plugin selection: `[scripting] scripts = DIR, FILE` loads
# every *.js directly inside DIR in byte order of the names (not
# subdirectories, not other files), then FILE, in the order given; -s adds
# to the configured scripts; a missing script path is an error naming it;
# `[plugins] load` loads only the named plugins and refuses unknown names.
. "$WH_TOP_SRCDIR/tests/lib.sh"

: > "$T/empty.jsonl"

# js FILE: a script that prints its own name when it loads.
js() {
  mkdir -p "$(dirname "$1")"
  printf 'console.log("load %s");\n' "$(basename "$1")" > "$1"
}

d="$T/dir"
for n in B.js a.js _c.js 10.js 9.js; do js "$d/$n"; done
# Not scripts: other files, names that only contain .js, subdirectories
# (also one named like a script) and what is inside them.
for n in notes.txt x.json a.js~ a.jsx js README; do js "$d/$n"; done
js "$d/sub/inner.js"
js "$d/dir.js/inner2.js"
# A file listed after the directory, named so that a global sort would put
# it first.
js "$T/file/0.js"

cfg=$(printf '[scripting]\nscripts = %s, %s\n' "$d" "$T/file/0.js" | wh_config)
wh replay "$T/empty.jsonl" -c "$cfg" > "$T/out" 2> "$T/err"
assert_eq "[10.js] load 10.js
[9.js] load 9.js
[B.js] load B.js
[_c.js] load _c.js
[a.js] load a.js
[0.js] load 0.js" "$(cat "$T/out")" "directory in byte order of names, then the file"
assert_eq "" "$(cat "$T/err")" "nothing on stderr"

# Space separated works the same; the order of the list is kept (the file
# first this time).
cfg=$(printf '[scripting]\nscripts = %s %s\n' "$T/file/0.js" "$d" | wh_config)
wh replay "$T/empty.jsonl" -c "$cfg" > "$T/out" 2> "$T/err"
assert_eq "[0.js] load 0.js
[10.js] load 10.js
[9.js] load 9.js
[B.js] load B.js
[_c.js] load _c.js
[a.js] load a.js" "$(cat "$T/out")" "space separated list, in its order"

# -s adds to the configured scripts, after them, in command line order; a
# directory given with -s is read like one of the configuration.
js "$T/s/one.js"
js "$T/sdir/z.js"
js "$T/sdir/y.js"
cfg=$(printf '[scripting]\nscripts = %s\n' "$T/file/0.js" | wh_config)
wh replay "$T/empty.jsonl" -c "$cfg" -s "$T/s/one.js" -s "$T/sdir" > "$T/out" 2> "$T/err"
assert_eq "[0.js] load 0.js
[one.js] load one.js
[y.js] load y.js
[z.js] load z.js" "$(cat "$T/out")" "-s after the configured scripts"
assert_eq "" "$(cat "$T/err")" "-s: nothing on stderr"

# Without [scripting] scripts, -s alone.
cfg=$(wh_config < /dev/null)
wh replay "$T/empty.jsonl" -c "$cfg" -s "$T/sdir" > "$T/out"
assert_eq "[y.js] load y.js
[z.js] load z.js" "$(cat "$T/out")" "-s alone"

# A missing script path (in the configuration or with -s) is an error that
# names it; the other scripts still load and replay exits 1.
cfg=$(printf '[scripting]\nscripts = %s, %s\n' "$T/nope.js" "$T/file/0.js" | wh_config)
rc=0
wh replay "$T/empty.jsonl" -c "$cfg" -s "$T/nodir" -s "$T/s/one.js" > "$T/out" 2> "$T/err" || rc=$?
assert_eq 1 "$rc" "missing script: exit status"
assert_eq "[0.js] load 0.js
[one.js] load one.js" "$(cat "$T/out")" "missing script: the others load"
assert_eq "wirehook: error: script $T/nope.js: No such file or directory; check [scripting] scripts or -s
wirehook: error: script $T/nodir: No such file or directory; check [scripting] scripts or -s" \
  "$(cat "$T/err")" "missing script: one line naming each"

# [plugins] load = file loads only file.so; x.so next to it (not even a
# shared object, so it would be refused if it were tried) is not touched.
echo 'not a shared object' > "$T/plugins/x.so"
printf '[storage]\ndir = %s\n[plugins]\ndir = %s\nload = file\n' "$T/data" "$T/plugins" > "$T/load.ini"
cfg="$T/load.ini"
rc=0
wh plugins -c "$cfg" > "$T/out" 2> "$T/err" || rc=$?
assert_eq 0 "$rc" "load = file: wirehook plugins exit status"
assert_eq "" "$(cat "$T/err")" "load = file: nothing on stderr"
assert_eq "file" "$(grep -v '^ ' "$T/out" | cut -d' ' -f1)" "load = file: only the file plugin is listed"
assert_contains "$(cat "$T/out")" "$T/plugins/file.so" "load = file: its file"
echo 'file.mkdir("made"); console.log(typeof file.write);' > "$T/usefile.js"
wh replay "$T/empty.jsonl" -c "$cfg" -s "$T/usefile.js" > "$T/out" 2> "$T/err"
assert_eq "[usefile.js] function" "$(cat "$T/out")" "load = file: file.* works"
[ -d "$T/data/made" ] || fail "load = file: file.mkdir did not create the directory"

# Without `load`, every *.so is tried and x.so is refused.
printf '[storage]\ndir = %s\n[plugins]\ndir = %s\n' "$T/data" "$T/plugins" > "$T/all.ini"
rc=0
wh plugins -c "$T/all.ini" > "$T/out" 2> "$T/err" || rc=$?
assert_eq 1 "$rc" "load = all: x.so is refused"
assert_contains "$(cat "$T/out")" "refused: " "load = all: the refusal is listed"

# An unknown name: exit 2 with one line naming it (replay and run; run
# under timeout(1) in case it would not stop).
printf '[storage]\ndir = %s\n[plugins]\ndir = %s\nload = nope\n' "$T/data" "$T/plugins" > "$T/nope.ini"
for cmd in replay run; do
  if [ "$cmd" = replay ]; then set -- replay "$T/empty.jsonl"; else set -- run; fi
  if [ "${WH_VALGRIND:-}" = 1 ]; then
    # shellcheck disable=SC2086
    set -- $WH_VALGRIND_CMD "$WH_BIN" "$@"
  else
    set -- "$WH_BIN" "$@"
  fi
  rc=0
  timeout 300 "$@" -c "$T/nope.ini" -s "$T/file/0.js" > "$T/out" 2> "$T/err" || rc=$?
  assert_eq 2 "$rc" "load = nope: $cmd exit status (124: it did not stop)"
  assert_eq "" "$(cat "$T/out")" "load = nope: $cmd runs no script"
  assert_eq 1 "$(wc -l < "$T/err")" "load = nope: $cmd prints one line"
  assert_contains "$(cat "$T/err")" "[plugins] load: plugin \"nope\" not found in $T/plugins" \
    "load = nope: $cmd names it"
done
