#!/bin/sh
# Who may use the control socket, and what hostile clients cannot do.
# The socket is mode 0660 with [control] group: a user outside the group
# is refused, one in it is served.  While the daemon captures steady
# loopback traffic, a client sending 100 MB without a newline and 1,000
# connections at once are shed, the daemon stays responsive, and capture
# goes on counting every item (a 64 MiB capture buffer, so that the
# kernel drops nothing even when valgrind slows the daemon down).
. "$WH_TOP_SRCDIR/tests/lib.sh"
. "$WH_TOP_SRCDIR/tests/tools/control.sh"

group=whctltest
getent group "$group" >/dev/null || groupadd -f "$group" ||
  fail "groupadd $group (the test needs root)"
gid=$(getent group "$group" | cut -d: -f3)
# The socket's own mode must be what refuses: a directory others can
# enter, and a copy of the binary they may run.
chmod 755 "$T"
install -m 755 "$WH_BIN" "$T/wirehook"
cfg=$(printf '[capture]\nfilter = tcp port %s\nbuffer_size = 64M\n[control]\ngroup = %s\nmax_clients = 32\ntimeout_ms = 2000\n' \
  "$BACKEND" "$group" | wh_config)

daemon_start -i lo
sock=$T/control.sock
assert_eq "srw-rw---- root $group" "$(stat -c '%A %U %G' "$sock")" "socket mode and owner"

# a user outside the group cannot connect; one in it can
if setpriv --reuid=nobody --regid=nogroup --clear-groups "$T/wirehook" status -S "$sock" \
  >"$T/nobody.out" 2>"$T/nobody.err"; then
  fail "nobody could use the socket"
fi
assert_contains "$(cat "$T/nobody.err")" "Permission denied" "refusal for a user outside the group"
setpriv --reuid=nobody --regid=nogroup --groups="$gid" "$T/wirehook" status -S "$sock" --json \
  >"$T/member.out" 2>"$T/member.err" || fail "a group member was refused: $(cat "$T/member.err")"
assert_contains "$(cat "$T/member.out")" '"packets"' "status for a group member"

# steady traffic while the hostile clients run
requests 150 --delay 0.02 --per-conn 1 >/dev/null &
traffic=$!
before=$(json_field "$(w status --json)" capture.packets)

"$PYTHON3" - "$sock" <<'PY' || fail "hostile clients"
import socket, sys, time, resource, json
path = sys.argv[1]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 4096), max(hard, 4096)))

def status():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(path)
    s.sendall(b'{"cmd":"status","id":1}\n')
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    s.close()
    return json.loads(buf)

# 100 MB without a newline: the daemon closes the connection long before
t0 = time.time()
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(path)
sent, closed = 0, False
block = b"x" * (1 << 20)
try:
    while sent < 100 << 20:
        sent += s.send(block)
except (BrokenPipeError, ConnectionResetError, socket.timeout) as e:
    closed = not isinstance(e, socket.timeout)
answer = b""
try:
    answer = s.recv(4096)
except OSError:
    pass
s.close()
assert closed or b"longer than" in answer, "100 MB line: connection not closed (sent %d)" % sent
assert sent < 100 << 20, "the daemon read all 100 MB"
print("100 MB line: closed after %d bytes in %.2f s" % (sent, time.time() - t0))
assert status()["ok"], "status after the long line"

# 1,000 connections at once: beyond max_clients they are told and closed
conns = []
for i in range(1000):
    c = socket.socket(socket.AF_UNIX)
    c.settimeout(5)
    c.connect(path)
    conns.append(c)
refused = 0
for c in conns[40:]:
    try:
        data = c.recv(4096)
    except socket.timeout:
        data = b""
    if b"too many clients" in data:
        refused += 1
assert refused >= 900, "only %d of the connections over the cap were refused" % refused
for c in conns:
    c.close()
print("1000 connections: %d refused with the too-many line" % refused)
# served again once they are gone
for _ in range(50):
    try:
        if status()["ok"]:
            break
    except Exception:
        time.sleep(0.1)
else:
    raise SystemExit("status not answered after the flood")
PY

wait $traffic || fail "the traffic client failed"
wait_items 150 20
st=$(w status --json)
after=$(json_field "$st" capture.packets)
[ "$after" -gt "$before" ] || fail "capture stopped counting ($before -> $after)"
assert_eq 150 "$(json_field "$st" capture.items)" "items captured during the flood"
assert_eq 0 "$(json_field "$st" capture.dropped.items)" "items dropped during the flood"
daemon_stop
