#!/bin/sh
# `wirehook run`: loads the scripts and runs until SIGTERM or SIGINT, then
# logs that it stops and exits 0 (wirehook(1), COMMANDS), also when the
# signal comes while the scripts are still loading; a bad configuration
# or a refused plugin makes it exit 2 at once.
. "$WH_TOP_SRCDIR/tests/lib.sh"

# How long any one step may take before the test gives up.
limit=30
[ "${WH_VALGRIND:-}" = 1 ] && limit=300
ticks=$((limit * 10))

# start NAME ARGS...: runs `wirehook ARGS` in the background with stdout in
# $T/NAME.out and stderr in $T/NAME.err.  Its pid goes to $T/NAME.pid
# (written before the exec, so it is wirehook's own, or valgrind's, which
# is the same process) and its exit status to $T/NAME.rc once it ended.
start() {
  name=$1
  shift
  rm -f "$T/$name.pid" "$T/$name.rc"
  if [ "${WH_VALGRIND:-}" = 1 ]; then
    # shellcheck disable=SC2086
    set -- $WH_VALGRIND_CMD "$WH_BIN" "$@"
  else
    set -- "$WH_BIN" "$@"
  fi
  (
    trap - EXIT
    rc=0
    sh -c 'echo $$ > "$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$T/$name.pid" "$@" \
      > "$T/$name.out" 2> "$T/$name.err" || rc=$?
    echo "$rc" > "$T/$name.rc.tmp"
    mv "$T/$name.rc.tmp" "$T/$name.rc"
  ) &
}

# wait_line NAME FILE TEXT: waits until FILE has a line containing TEXT;
# fails if the daemon ends first or the time runs out.
wait_line() {
  i=0
  while ! grep -qF -- "$3" "$2" 2> /dev/null; do
    if [ -e "$T/$1.rc" ]; then
      printf '%s: stdout:\n%s\nstderr:\n%s\n' "$1" "$(cat "$T/$1.out")" "$(cat "$T/$1.err")" >&2
      fail "$1: ended with status $(cat "$T/$1.rc") before printing \"$3\""
    fi
    i=$((i + 1))
    [ "$i" -le "$ticks" ] || fail "$1: \"$3\" did not appear within $limit s"
    sleep 0.1
  done
}

# wait_end NAME: waits until the daemon has ended and sets rc to its exit
# status; kills it and fails if it is still running after the time limit.
wait_end() {
  i=0
  while [ ! -e "$T/$1.rc" ]; do
    i=$((i + 1))
    if [ "$i" -gt "$ticks" ]; then
      kill -KILL "$(cat "$T/$1.pid")" 2> /dev/null || :
      fail "$1: still running $limit s later"
    fi
    sleep 0.1
  done
  wait
  rc=$(cat "$T/$1.rc")
}

# signal NAME SIG: sends SIG to the daemon.
signal() {
  [ -s "$T/$1.pid" ] || fail "$1: no pid"
  kill "-$2" "$(cat "$T/$1.pid")"
}

running="wirehook: info: running with 1 script(s) and no capture interface ([capture] interface or -i); stop with SIGINT or SIGTERM"

echo 'console.log("loaded", 1 + 1);' > "$T/hello.js"
cfg=$(printf '[scripting]\nscripts = %s\n' "$T/hello.js" | wh_config)

# Stopped by SIGTERM (15) and by SIGINT (2) once the script has loaded.
for sig in TERM:15 INT:2; do
  name=${sig%:*} num=${sig#*:}
  start "$name" run -c "$cfg"
  wait_line "$name" "$T/$name.out" "[hello.js] loaded 2"
  signal "$name" "$name"
  wait_end "$name"
  assert_eq 0 "$rc" "SIG$name: exit status (143 or 130: killed by the signal)"
  assert_eq "[hello.js] loaded 2" "$(cat "$T/$name.out")" "SIG$name: stdout"
  assert_eq "$running
wirehook: info: stopping on signal $num" "$(cat "$T/$name.err")" "SIG$name: stderr"
done

# A signal that comes while a script is still loading stops the daemon in
# the same way, after the load.
cat > "$T/slow.js" <<'JS'
console.log("loading");
var t = Date.now();
while (Date.now() - t < 1500) {}
console.log("loaded");
JS
cfg=$(printf '[scripting]\nhook_timeout_ms = 60000\nscripts = %s\n' "$T/slow.js" | wh_config)
start early run -c "$cfg"
wait_line early "$T/early.out" "[slow.js] loading"
signal early TERM
wait_end early
assert_eq 0 "$rc" "SIGTERM while loading: exit status (143: killed by the signal)"
assert_eq "[slow.js] loading" "$(head -1 "$T/early.out")" "SIGTERM while loading: stdout"
assert_eq "wirehook: info: stopping on signal 15" "$(tail -1 "$T/early.err")" \
  "SIGTERM while loading: the stopping line"

# A bad configuration: exit 2 with one line naming file, line and key,
# before any script runs.
printf '[scripting]\nscripts = %s\nhook_timeout_ms = soon\n' "$T/hello.js" > "$T/bad.ini"
start bad run -c "$T/bad.ini"
wait_end bad
assert_eq 2 "$rc" "bad configuration: exit status"
assert_eq "" "$(cat "$T/bad.out")" "bad configuration: no script runs"
assert_eq 1 "$(wc -l < "$T/bad.err")" "bad configuration: one line"
assert_contains "$(cat "$T/bad.err")" "$T/bad.ini:3: [scripting] hook_timeout_ms" "bad configuration: the line"

# A configuration file that does not exist.
start nocfg run -c "$T/nope.ini"
wait_end nocfg
assert_eq 2 "$rc" "missing configuration: exit status"
assert_contains "$(cat "$T/nocfg.err")" "$T/nope.ini" "missing configuration: named"

# A refused plugin: x.so is not a shared object.
mkdir -p "$T/junk" "$T/data"
echo 'not a shared object' > "$T/junk/x.so"
printf '[storage]\ndir = %s\n[plugins]\ndir = %s\n[scripting]\nscripts = %s\n' \
  "$T/data" "$T/junk" "$T/hello.js" > "$T/junk.ini"
start refused run -c "$T/junk.ini"
wait_end refused
assert_eq 2 "$rc" "refused plugin: exit status"
assert_eq "" "$(cat "$T/refused.out")" "refused plugin: no script runs"
assert_eq 1 "$(wc -l < "$T/refused.err")" "refused plugin: one line"
assert_contains "$(cat "$T/refused.err")" "wirehook: error: plugin $T/junk/x.so: " "refused plugin: the line names the file"
