# Shared parts of the control-plane tests; sourced after tests/lib.sh.
# Starts an HTTP backend (http_backend.py) on a free loopback port
# ($BACKEND); daemon_start runs `wirehook run` on $cfg in the background
# and waits until its control socket answers.

CONTROL_TOOLS=$WH_TOP_SRCDIR/tests/tools
free_port() {
  "$PYTHON3" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
BACKEND=$(free_port)
"$PYTHON3" "$CONTROL_TOOLS/http_backend.py" "$BACKEND" >/dev/null 2>&1 &
WH_KILL="$WH_KILL $!"
WH_PID=

# w ARGS...: a client command on the test's configuration.
w() { "$WH_BIN" "$@" -c "$cfg"; }

# requests N [http_requests.py options]: N requests to the backend;
# prints the number of 500s.
requests() { "$PYTHON3" "$CONTROL_TOOLS/http_requests.py" "$BACKEND" "$@"; }

# json_field JSON PATH: a field of a JSON document (dotted path; numbers
# index arrays).
json_field() {
  "$PYTHON3" -c 'import json,sys
v = json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(json.dumps(v) if isinstance(v, (dict, list)) else v)' "$1" "$2"
}

items_stored() { json_field "$(w status --json)" storage.items.items; }

# Waits are four times longer under valgrind.
WAIT_X=1
[ "${WH_VALGRIND:-}" = 1 ] && WAIT_X=4

# wait_items N SECONDS: until the daemon stored at least N items, and
# then for its next flush (every 200 ms), after which queries see them.
wait_items() {
  _i=0
  until [ "$(items_stored 2>/dev/null || echo -1)" -ge "$1" ]; do
    _i=$((_i + 1))
    [ "$_i" -gt $(($2 * 10 * WAIT_X)) ] && fail "$1 items not stored in $2 s: $(w status --json 2>&1)"
    sleep 0.1
  done
  sleep 0.3
}

# wait_grep TEXT FILE SECONDS
wait_grep() {
  _i=0
  until grep -qF -- "$1" "$2" 2>/dev/null; do
    _i=$((_i + 1)); [ "$_i" -gt $(($3 * 10 * WAIT_X)) ] && return 1; sleep 0.1
  done
}

# daemon_start [ARGS...]: `wirehook run -c $cfg ARGS` with stdout in
# $T/out and stderr in $T/err, ready once `status` answers.
daemon_start() {
  wh_bg run -c "$cfg" "$@" >"$T/out" 2>"$T/err"
  WH_PID=$!
  WH_KILL="$WH_KILL $WH_PID"
  _i=0
  until w status >/dev/null 2>&1; do
    _i=$((_i + 1))
    kill -0 "$WH_PID" 2>/dev/null || fail "the daemon exited: $(cat "$T/err")"
    [ $_i -gt $((200 * WAIT_X)) ] && fail "the daemon does not answer: $(cat "$T/err")"
    sleep 0.1
  done
}

# daemon_stop: SIGTERM, and the exit status must be 0.
daemon_stop() {
  kill -TERM "$WH_PID"
  _rc=0
  wait "$WH_PID" || _rc=$?
  WH_PID=
  assert_eq 0 "$_rc" "exit status after SIGTERM ($(tail -3 "$T/err"))"
}
