#!/bin/sh
# Reloads without the command, and a console that outlives the daemon:
# SIGHUP reloads a changed script; with [scripting] watch = true, writing
# a script file reloads it and deleting one unloads it with its jobs;
# `wirehook console` follows the daemon across a restart and prints no
# line twice.  The daemon runs without an interface: jobs and control
# only.
. "$WH_TOP_SRCDIR/tests/lib.sh"
. "$WH_TOP_SRCDIR/tests/tools/control.sh"

mkdir -p "$T/scripts"
cfg=$(printf '[scripting]\nscripts = %s\nwatch = true\n' "$T/scripts" | wh_config)
printf 'console.log("a v1 loaded");\njobs.schedule("ja", "@every 1h", function () {});\n' \
  >"$T/scripts/a.js"
printf 'console.log("b v1 loaded");\njobs.schedule("jb", "@every 1h", function () {});\n' \
  >"$T/scripts/b.js"
daemon_start
jobs() { w jobs list --json | "$PYTHON3" -c 'import json,sys; print(" ".join(j["tag"] + "@" + j["script"] for j in json.load(sys.stdin)["jobs"]))'; }
assert_eq "ja@a.js jb@b.js" "$(jobs)" "jobs at start"

# a console that stays connected through everything below
w console >"$T/cons.out" 2>"$T/cons.err" &
cons=$!
WH_KILL="$WH_KILL $cons"
wait_grep "b v1 loaded" "$T/cons.out" 5 || fail "console backlog: $(cat "$T/cons.out" "$T/cons.err")"

# the watch: a write reloads, once
printf 'console.log("a v2 loaded");\njobs.schedule("ja2", "@every 1h", function () {});\n' \
  >"$T/scripts/a.js.tmp"
mv "$T/scripts/a.js.tmp" "$T/scripts/a.js"
wait_grep "a v2 loaded" "$T/out" 5 || fail "the watch did not reload a.js: $(cat "$T/err")"
sleep 1
assert_eq 1 "$(grep -c 'a v2 loaded' "$T/out")" "one reload for one change"
assert_eq "ja2@a.js jb@b.js" "$(jobs)" "jobs after the watched reload"

# the watch: a deleted script takes its jobs with it
rm "$T/scripts/b.js"
i=0
until [ "$(jobs)" = "ja2@a.js" ]; do
  i=$((i + 1)); [ $i -gt $((50 * WAIT_X)) ] && fail "b.js's job outlived it: $(jobs)"; sleep 0.1
done
assert_contains "$(cat "$T/err")" "scripts reload: removed b.js" "log line for the removal"

# the console follows a restart without printing a line twice; the
# daemon comes back without the watch, for SIGHUP
daemon_stop
wait_grep "connection to" "$T/cons.err" 5 || fail "console did not notice the stop: $(cat "$T/cons.err")"
printf 'console.log("a v3 loaded");\n' >"$T/scripts/a.js"
sed -i 's/^watch = true$/watch = false/' "$cfg"
daemon_start
wait_grep "a v3 loaded" "$T/cons.out" 10 || fail "console did not reconnect: $(cat "$T/cons.err")"

# SIGHUP reloads (and without the watch, a write alone does not)
printf 'console.log("a v4 loaded");\n' >"$T/scripts/a.js"
sleep 1
grep -q "a v4 loaded" "$T/out" && fail "reloaded without the watch or SIGHUP"
kill -HUP "$WH_PID"
wait_grep "a v4 loaded" "$T/out" 5 || fail "SIGHUP did not reload: $(cat "$T/err")"
wait_grep "a v4 loaded" "$T/cons.out" 5 || fail "console missed the reload's line"
kill -0 "$WH_PID" || fail "SIGHUP killed the daemon"

# a changed [scripting.env] reloads every script with the new values; a
# configuration that no longer loads reloads nothing
printf 'console.log("greeting " + GREETING);\n' >"$T/scripts/g.js"
printf '[scripting.env]\nGREETING = one\n' >>"$cfg"
w scripts reload >"$T/r1.out" || fail "reload: $(cat "$T/r1.out")"
assert_contains "$(cat "$T/r1.out")" "added g.js" "a new script"
wait_grep "greeting one" "$T/out" 5 || fail "g.js did not run"
sed -i 's/^GREETING = one$/GREETING = two/' "$cfg"
w scripts reload >"$T/r2.out" || fail "reload: $(cat "$T/r2.out")"
assert_contains "$(cat "$T/r2.out")" "reloaded a.js" "an unchanged script runs again when env changed"
wait_grep "greeting two" "$T/out" 5 || fail "the new env value was not seen"
printf '[nosuchsection]\n' >>"$cfg"
if "$WH_BIN" scripts reload -S "$T/control.sock" >"$T/r3.out" 2>"$T/r3.err"; then
  fail "reload with a broken configuration"
fi
assert_contains "$(cat "$T/r3.err")" "nothing was reloaded" "reload refused for a broken configuration"
sed -i '$d' "$cfg"
kill $cons
wait $cons 2>/dev/null || true
for l in "a v1 loaded" "b v1 loaded" "a v2 loaded" "a v3 loaded" "greeting two"; do
  assert_eq 1 "$(grep -c "$l" "$T/cons.out")" "console lines \"$l\""
done
daemon_stop
