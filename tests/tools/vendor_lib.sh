# Shared shell helpers of the vendor helper tests (tests/integration/
# vendor_*.sh).  Sourced after tests/lib.sh; POSIX sh.
#
#   vendor_start NAME SERVICE [ARGS...]  a stand-in of
#       tests/tools/vendor_server.py in $T/NAME, on a free port, which it
#       puts in $VENDOR_PORT
#   vendor_check NAME       fails when the stand-in saw a broken rule
#   vendor_requests NAME    how many requests it received
#   vendor_no_secrets S...  fails when a secret appears in $T/*.out/*.err
#   vendor_items N          N generated items in $T/items.jsonl
#   vendor_run NAME SCRIPT CONFIG [ARGS...]  replays $T/items.jsonl
#       through SCRIPT with -v; stdout in $T/NAME.out, stderr in $T/NAME.err
#
# Every stand-in is killed when the test exits.

VENDOR_PIDS=
VENDOR_TOOLS=$WH_TOP_SRCDIR/tests/tools

# Nothing of the test may go through a proxy of the environment.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
  no_proxy NO_PROXY

vendor_cleanup() {
  for _p in $VENDOR_PIDS; do
    kill "$_p" 2>/dev/null || :
    wait "$_p" 2>/dev/null || :
  done
  VENDOR_PIDS=
}
trap '_vrc=$?; vendor_cleanup; (exit $_vrc); cleanup' EXIT
trap 'exit 130' INT TERM

vendor_start() {
  _name=$1
  shift
  mkdir -p "$T/$_name"
  rm -f "$T/$_name/port"
  "$PYTHON3" "$VENDOR_TOOLS/vendor_server.py" "$@" --dir "$T/$_name" \
    > "$T/$_name/stdout" 2> "$T/$_name/stderr" &
  VENDOR_PIDS="$VENDOR_PIDS $!"
  _i=0
  while [ ! -s "$T/$_name/port" ]; do
    _i=$((_i + 1))
    [ "$_i" -le 200 ] || fail "stand-in $_name did not start: $(cat "$T/$_name/stderr")"
    sleep 0.05
  done
  VENDOR_PORT=$(cat "$T/$_name/port")
}

vendor_check() {
  if [ -s "$T/$1/violations.jsonl" ]; then
    fail "stand-in $1 saw requests it must refuse:
$(cat "$T/$1/violations.jsonl")"
  fi
  [ ! -s "$T/$1/stderr" ] || fail "stand-in $1 failed: $(cat "$T/$1/stderr")"
}

vendor_requests() {
  if [ -f "$T/$1/requests.jsonl" ]; then
    wc -l < "$T/$1/requests.jsonl" | tr -d ' '
  else
    echo 0
  fi
}

vendor_no_secrets() {
  for _s in "$@"; do
    for _f in "$T"/*.out "$T"/*.err; do
      [ -f "$_f" ] || continue
      if grep -qF -- "$_s" "$_f"; then
        fail "a secret appears in $(basename "$_f"): $(grep -nF -- "$_s" "$_f" | head -3)"
      fi
    done
  done
}

vendor_items() {
  "$PYTHON3" "$WH_TOP_SRCDIR/tests/tools/gen_items.py" "$1" > "$T/items.jsonl"
}

# stderr without valgrind's notes on system calls it does not know.
vendor_stderr() {
  grep -v '^--[0-9]*-- ' "$1" || :
}

vendor_run() {
  _n=$1 _s=$2 _c=$3
  shift 3
  _rc=0
  wh replay "$T/items.jsonl" -c "$_c" -s "$_s" -v "$@" > "$T/$_n.out" 2> "$T/$_n.err" || _rc=$?
  [ "$_rc" -eq 0 ] || fail "wirehook replay ($_n) exited with $_rc: $(tail -n 20 "$T/$_n.err")"
}

# The lines a script printed, without the "[name.js] " prefix.
vendor_lines() {
  sed -n "s/^\[$2\] //p" "$T/$1.out"
}

# vendor_daemon NAME CONFIG SCRIPT: `wirehook run` in the background
# (under valgrind when WH_VALGRIND=1), output in $T/NAME.out/.err;
# vendor_daemon_stop stops it with SIGTERM and checks its exit status.
vendor_daemon() {
  VENDOR_DAEMON_NAME=$1
  wh_bg run -c "$2" -s "$3" -v > "$T/$1.out" 2> "$T/$1.err"
  VENDOR_DAEMON_PID=$!
  VENDOR_PIDS="$VENDOR_PIDS $VENDOR_DAEMON_PID"
}

vendor_daemon_stop() {
  kill -TERM "$VENDOR_DAEMON_PID"
  _rc=0
  wait "$VENDOR_DAEMON_PID" || _rc=$?
  [ "$_rc" -eq 0 ] ||
    fail "wirehook run ($VENDOR_DAEMON_NAME) exited with $_rc: $(tail -n 20 "$T/$VENDOR_DAEMON_NAME.err")"
}

# vendor_wait_for FILE PATTERN SECONDS: until grep finds PATTERN in FILE.
vendor_wait_for() {
  _i=0
  until grep -q -- "$2" "$1" 2>/dev/null; do
    _i=$((_i + 1))
    [ "$_i" -le $(($3 * 20)) ] || fail "nothing matched $2 in $1 within $3 s"
    sleep 0.05
  done
}
