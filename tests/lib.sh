# Shared helpers for the shell tests; sourced, never run.
# Each test gets a fresh work directory that is removed on success.
set -eu

: "${WH_BIN:?run through make check}"
T=$(mktemp -d "${TMPDIR:-/tmp}/wirehook-test.XXXXXX")
WH_KEEP=${WH_KEEP:-}
# Processes to kill when the test exits (add PIDs with WH_KILL="$WH_KILL $!").
WH_KILL=
cleanup() {
  rc=$?
  # shellcheck disable=SC2086
  [ -z "$WH_KILL" ] || kill $WH_KILL 2>/dev/null || true
  if [ "$rc" -ne 0 ]; then
    # what valgrind found (its own notes, such as a syscall it does not
    # know, are left out)
    for _vg in "$T"/valgrind.*.log; do
      [ -s "$_vg" ] && grep -v 'unhandled amd64-linux syscall\|your own handler\|README_MISSING\|consider this a bug\|valgrind.org/support' "$_vg" >&2
    done
  fi
  if [ "$rc" -eq 0 ] && [ -z "$WH_KEEP" ]; then rm -rf "$T"; else echo "work directory kept: $T" >&2; fi
}
trap cleanup EXIT

# Plugin directory with every plugin built in this tree.
wh_plugin_dir() {
  mkdir -p "$T/plugins"
  for so in "$WH_TOP_BUILDDIR"/plugins/*/.libs/*.so; do
    [ -e "$so" ] && ln -sf "$so" "$T/plugins/"
  done
  echo "$T/plugins"
}

# Writes a minimal configuration to $T/wirehook.ini and echoes its path;
# extra INI text can be piped in on stdin.
wh_config() {
  mkdir -p "$T/data"
  {
    printf '[storage]\ndir = %s\n' "$T/data"
    printf '[plugins]\ndir = %s\n' "$(wh_plugin_dir)"
    printf '[control]\nsocket = %s\n' "$T/control.sock"
    cat
  } > "$T/wirehook.ini"
  echo "$T/wirehook.ini"
}

# Runs wirehook (under valgrind when WH_VALGRIND=1; a leak or error then
# fails the command with exit code 99).
# `wh ARGS &` puts a subshell in the background; `wh_bg ARGS` starts
# wirehook itself there, so that $! is the process to signal.
# valgrind writes to $T/valgrind.PID.log, not to the program's stderr that
# tests compare (it warns there about openat2, a syscall it does not know);
# a failing test prints those logs.
WH_VALGRIND_CMD="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --log-file=$T/valgrind.%p.log"
wh() {
  if [ "${WH_VALGRIND:-}" = 1 ]; then
    $WH_VALGRIND_CMD "$WH_BIN" "$@"
  else
    "$WH_BIN" "$@"
  fi
}
wh_bg() {
  if [ "${WH_VALGRIND:-}" = 1 ]; then
    $WH_VALGRIND_CMD "$WH_BIN" "$@" &
  else
    "$WH_BIN" "$@" &
  fi
}

fail() { echo "FAIL: $*" >&2; exit 1; }

# assert_eq EXPECTED ACTUAL WHAT
assert_eq() {
  if [ "$1" != "$2" ]; then
    printf 'FAIL: %s\n--- expected\n%s\n--- actual\n%s\n' "$3" "$1" "$2" >&2
    exit 1
  fi
}

# assert_contains HAYSTACK NEEDLE WHAT
assert_contains() {
  case "$1" in *"$2"*) ;; *) printf 'FAIL: %s: %s not found in:\n%s\n' "$3" "$2" "$1" >&2; exit 1 ;; esac
}
