#!/bin/sh
# [scripting.env]: the env object, keys as globals, KEY_FILE, keys that
# are only reachable through env, per-script copies, and no value in any
# log line.
. "$WH_TOP_SRCDIR/tests/lib.sh"

printf 'file-secret-value\n' > "$T/token"
cfg=$(wh_config <<EOF
[scripting.env]
SLACK_TOKEN = xoxb-very-secret-1
API_KEY_FILE = $T/token
bad-key = dash-secret-2
console = shadow-secret-3
EOF
)
: > "$T/empty.jsonl"
cat > "$T/a.js" <<'JS'
console.log(JSON.stringify(env));
console.log(SLACK_TOKEN === env.SLACK_TOKEN, API_KEY, env["bad-key"], typeof console.log);
env.SLACK_TOKEN = "changed";
JS
cat > "$T/b.js" <<'JS'
console.log(env.SLACK_TOKEN, typeof this["bad-key"]);
JS
wh replay "$T/empty.jsonl" -c "$cfg" -s "$T/a.js" -s "$T/b.js" > "$T/out" 2> "$T/err"
assert_eq '[a.js] {"SLACK_TOKEN":"xoxb-very-secret-1","API_KEY":"file-secret-value","bad-key":"dash-secret-2","console":"shadow-secret-3"}
[a.js] true file-secret-value dash-secret-2 function
[b.js] xoxb-very-secret-1 undefined' "$(cat "$T/out")" "env as seen by scripts"
assert_contains "$(cat "$T/err")" 'bad-key: only reachable as env["bad-key"]' "warning for a non-identifier key"
assert_contains "$(cat "$T/err")" 'console: only reachable as env["console"]' "warning for a shadowing key"
assert_eq 2 "$(grep -c 'only reachable' "$T/err")" "each warning once, not per script"
if grep -q 'secret' "$T/err"; then fail "a secret value appeared in the log: $(cat "$T/err")"; fi

# A missing KEY_FILE is a configuration error (exit 2) that names the key.
cfg=$(printf '[scripting.env]\nX_FILE = %s/missing\n' "$T" | wh_config)
set +e
wh replay "$T/empty.jsonl" -c "$cfg" 2> "$T/err"
rc=$?
set -e
assert_eq 2 "$rc" "exit status for an unreadable KEY_FILE"
assert_contains "$(cat "$T/err")" "X_FILE" "the error names the key"
