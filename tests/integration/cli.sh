#!/bin/sh
# The command line: help for every command, version, exit codes, and
# one-line errors for bad usage and bad configuration.
. "$WH_TOP_SRCDIR/tests/lib.sh"

for cmd in run replay plugins scripts version; do
  out=$(wh "$cmd" --help)
  assert_contains "$out" "usage: wirehook $cmd" "$cmd --help"
  assert_eq "$out" "$(wh help "$cmd")" "help $cmd"
done
assert_contains "$(wh --help)" "exit status: 0 ok, 1 runtime error, 2 usage or configuration error" "main help"
assert_contains "$(wh version)" "hook time limit enforced" "version reports the time limit"

expect_rc() { # EXPECTED-RC MESSAGE-PART ARGS...
  want=$1; msg=$2; shift 2
  set +e; wh "$@" > "$T/out" 2> "$T/err"; rc=$?; set -e
  assert_eq "$want" "$rc" "exit status of wirehook $*"
  assert_contains "$(head -1 "$T/err")" "$msg" "error of wirehook $*"
}
expect_rc 2 "missing command"
expect_rc 2 "unknown command frobnicate" frobnicate
expect_rc 2 "unknown option --bogus" replay --bogus x
expect_rc 2 "replay needs exactly one FILE" replay
expect_rc 2 "no-such.jsonl: No such file or directory" replay "$T/no-such.jsonl"
expect_rc 2 "scripts check needs at least one FILE" scripts check
: > "$T/empty.jsonl"
expect_rc 2 "$T/nope.ini" replay "$T/empty.jsonl" -c "$T/nope.ini"

# Configuration errors name file, line and key.
printf '[scripting]\nhook_timeout_ms = soon\n' > "$T/bad.ini"
expect_rc 2 "$T/bad.ini:2: [scripting] hook_timeout_ms" replay "$T/empty.jsonl" -c "$T/bad.ini"
printf '[scripting]\nfrob = 1\n' > "$T/bad.ini"
expect_rc 2 "$T/bad.ini:2: [scripting] frob" replay "$T/empty.jsonl" -c "$T/bad.ini"
printf '[nonsense]\n' > "$T/bad.ini"
expect_rc 2 "$T/bad.ini:1:" replay "$T/empty.jsonl" -c "$T/bad.ini"
# A line cut by inih's limit is refused with a KEY_FILE suggestion.
printf '[scripting.env]\nTOKEN = %0250d\n' 0 > "$T/bad.ini"
expect_rc 2 "KEY_FILE" replay "$T/empty.jsonl" -c "$T/bad.ini"
assert_contains "$(cat "$T/err")" "$T/bad.ini:2:" "long line error names file and line"

# Bad item lines are reported with their line number; exit status 1.
cfg=$(wh_config </dev/null)
printf '{"id":"a"}\nnot json\n[1]\n\n{"id":"b"}\n' > "$T/items.jsonl"
expect_rc 1 "items.jsonl:2:" replay "$T/items.jsonl" -c "$cfg" --json
assert_contains "$(cat "$T/err")" "items.jsonl:3: not a JSON object" "non-object line"
assert_eq '{"id":"a"}
{"id":"b"}' "$(cat "$T/out")" "--json prints the good items"

# A capture file is recognised by its magic; a cut one is refused.
printf '\324\303\262\241\002\000\004\000' > "$T/x.pcap"
expect_rc 2 "x.pcap: not a capture file libpcap can read" replay "$T/x.pcap" -c "$cfg"
expect_rc 2 "-i is accepted by run only" replay "$T/x.pcap" -i lo
