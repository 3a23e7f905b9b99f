#!/bin/sh
# The bundled example scripts (scripts/examples/) over the bundled items:
# each prints exactly what the items call for (expected lines computed
# from items.jsonl with Python), file-report.js writes its report into the
# data directory, and the configuration and replay of tools/quickstart
# work as written there.
. "$WH_TOP_SRCDIR/tests/lib.sh"

ex="$WH_TOP_SRCDIR/scripts/examples"
items="$ex/items.jsonl"

# expect WHAT: the expected output of one example, from the items.
expect() {
  "$PYTHON3" - "$1" "$items" <<'PY'
import json, sys

what, path = sys.argv[1], sys.argv[2]
items = [json.loads(l) for l in open(path) if l.strip()]

def http(i):
    return i["protocol"]["name"] == "http"

def js_num(v):  # String(number) for the integers of the items
    return str(int(v)) if float(v).is_integer() else repr(v)

out = []
counts = {}
for i in items:
    st = i.get("response", {}).get("status")
    if what in ("mark-500", "quickstart") and http(i) and st == 500:
        out.append("[mark-500.js] HTTP 500: %s %s from %s in %s ms" % (
            i["request"]["method"], i["request"]["path"], i["src"]["ip"],
            js_num(i["elapsedTime"])))
    if what in ("file-report", "quickstart") and http(i) and st >= 400:
        counts[str(st)] = counts.get(str(st), 0) + 1
        # Integer-like keys enumerate in ascending numeric order (ES2015).
        obj = ",".join('"%s":%d' % (k, counts[k]) for k in sorted(counts, key=int))
        out.append("[file-report.js] errors so far: {%s}" % obj)
    if what == "report" and http(i) and st >= 400:
        out.append("%d %s %s %s" % (st, i["request"]["method"], i["request"]["path"],
                                     js_num(i["elapsedTime"])))
    if what == "env-dns" and i["protocol"]["name"] == "dns":
        answers = " ".join(a.get("ip") or a.get("cname") for a in i["response"]["answers"])
        out.append("[env-and-console.js] DNS %s -> %s" % (
            i["request"]["questions"][0]["name"], answers))
    if what == "env-500" and i["protocol"]["name"] != "dns" and st >= 500:
        out.append("[env-and-console.js:ERROR] Something is not right and the value is: %d" % st)
print("\n".join(out))
PY
}

# stderr of a run, without valgrind's notes on syscalls it does not know
# (openat2, used by the file plugin: valgrind fails it with ENOSYS and the
# plugin falls back to its walk).
errors() {
  if [ "${WH_VALGRIND:-}" = 1 ]; then
    grep -v '^--[0-9]*-- ' "$1" || :
  else
    cat "$1"
  fi
}

# The expectations must not be empty, or the comparisons prove little.
for w in mark-500 file-report report env-dns env-500; do
  [ -n "$(expect "$w")" ] || fail "items.jsonl has nothing for $w"
done

# run NAME INI-TEXT: replays the items through one example with a fresh
# data directory; exit status must be 0, output in $T/NAME.out/.err.
run() {
  rm -rf "$T/data"
  cfg=$(printf '%s\n' "$2" | wh_config)
  wh replay "$items" -c "$cfg" -s "$ex/$1" > "$T/$1.out" 2> "$T/$1.err"
}

# mark-500.js: exactly the 500s.
run mark-500.js ""
assert_eq "$(expect mark-500)" "$(cat "$T/mark-500.js.out")" "mark-500.js: stdout"
assert_eq "" "$(errors "$T/mark-500.js.err")" "mark-500.js: stderr"

# file-report.js: reports/errors-<UTC date>.txt with the header and one
# line per failed HTTP exchange, and a console line for each.
day1=$(date -u +%Y-%m-%d)
run file-report.js ""
day2=$(date -u +%Y-%m-%d)
assert_eq "$(expect file-report)" "$(cat "$T/file-report.js.out")" "file-report.js: stdout"
assert_eq "" "$(errors "$T/file-report.js.err")" "file-report.js: stderr"
assert_eq "reports" "$(ls "$T/data")" "file-report.js: only reports/ in the data directory"
report=$(ls "$T/data/reports")
[ "$report" = "errors-$day1.txt" ] || [ "$report" = "errors-$day2.txt" ] ||
  fail "file-report.js: the report is \"$report\", expected errors-$day1.txt"
assert_eq "# status method path elapsed-ms
$(expect report)" "$(cat "$T/data/reports/$report")" "file-report.js: the report"
# Every line of the report ends with a newline.
[ "$(tail -c 1 "$T/data/reports/$report" | od -An -c | tr -d ' ')" = '\n' ] ||
  fail "file-report.js: the report does not end with a newline"

# env-and-console.js: the env keys at load (in configuration order, or
# "(none)"), the DNS answers on stdout and the 500s on stderr.
echo 'hunter2' > "$T/secret.txt"
run env-and-console.js "[scripting.env]
API_URL = http://localhost:1
mode = test
SECRET_FILE = $T/secret.txt"
assert_eq "[env-and-console.js] env keys: API_URL, mode, SECRET
$(expect env-dns)" "$(cat "$T/env-and-console.js.out")" "env-and-console.js: stdout"
assert_eq "$(expect env-500)" "$(errors "$T/env-and-console.js.err")" "env-and-console.js: stderr"
! grep -rF hunter2 "$T"/*.out "$T"/*.err ||
  fail "env-and-console.js: an env value was printed by wirehook itself"
run env-and-console.js ""
assert_eq "[env-and-console.js] env keys: (none)
$(expect env-dns)" "$(cat "$T/env-and-console.js.out")" "env-and-console.js without env: stdout"

# tools/quickstart: its inline configuration, with its own variables, is
# valid and runs both scripts on each item in that order (the bundled
# items here; quickstart itself replays a capture it makes).
qs="$WH_TOP_SRCDIR/tools/quickstart"
ini=$(sed -n '/<<INI$/,/^INI$/p' "$qs" | sed '1d;$d')
[ -n "$ini" ] || fail "no inline configuration found in tools/quickstart"
# shellcheck disable=SC2016 # the text of the script, not expanded
grep -q '"$top/build/wirehook" replay "$data/example.pcap" -c "$data/wirehook.ini"$' "$qs" ||
  fail "tools/quickstart no longer runs the replay with that configuration"
data="$T/qs"
# shellcheck disable=SC2034 # used by the configuration text below
plugins=$(wh_plugin_dir)
mkdir -p "$data"
eval "cat > \"\$data/wirehook.ini\" <<INI
$ini
INI"
wh replay "$ex/items.jsonl" -c "$data/wirehook.ini" > "$T/qs.out" 2> "$T/qs.err"
assert_eq "$(expect quickstart)" "$(cat "$T/qs.out")" "quickstart: stdout"
assert_eq "" "$(errors "$T/qs.err")" "quickstart: stderr"
assert_eq "# status method path elapsed-ms
$(expect report)" "$(cat "$data/reports/"*.txt)" "quickstart: the report it prints"
