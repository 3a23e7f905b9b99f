#!/bin/sh
# Jobs in a running daemon: a job every second with limit 3 runs exactly
# three times and is then gone from jobs.list(); onJobPassed and
# onJobFailed fire in every script (also for a job that throws and one
# that loops for ever); the helpers' errors; and a job stays on time
# (within 100 ms) while a replay floods a slow hook.
. "$WH_TOP_SRCDIR/tests/lib.sh"

cfg=$(printf '[scripting]\nhook_timeout_ms = 300\n' | wh_config)
cat > "$T/a.js" <<'JS'
var n = 0;
function tick(word) { n++; console.log("tick", n, word); }
console.log(jobs.schedule("Three Ticks", "*/1 * * * * *", tick, 3, "hello"));
jobs.schedule("boom", "*/1 * * * * *", function () { throw new Error("boom"); }, 1);
jobs.schedule("spin", "*/1 * * * * *", function () { while (true) {} }, 1);
jobs.schedule("lister", "*/1 * * * * *", function () { console.log("list", jobs.list().join(",")); });
function tryit(f) { try { f(); } catch (e) { console.log(String(e)); } }
tryit(function () { jobs.remove("nope"); });
tryit(function () { jobs.schedule("x", "61 * * * *", tick); });
tryit(function () { jobs.schedule("x", "* * * * *", 5); });
console.log(jobs.scheduler.isRunning());
JS
cat > "$T/b.js" <<'JS'
function onJobPassed(tag, cron, limit) { if (tag === "three-ticks") console.log("passed", tag, cron, limit); }
function onJobFailed(tag, cron, limit, err) { console.log("failed", tag, limit, err); }
JS
"$WH_BIN" run -c "$cfg" -s "$T/a.js" -s "$T/b.js" > "$T/out" 2> "$T/err" &
pid=$!
i=0
until [ "$(grep -c '^\[a.js\] list' "$T/out" 2>/dev/null)" -ge 5 ]; do
  i=$((i + 1)); [ "$i" -gt 100 ] && { kill $pid; fail "jobs did not run: $(cat "$T/out" "$T/err")"; }
  sleep 0.1
done
kill -TERM $pid; wait $pid || fail "exit status $?"
out=$(cat "$T/out")
assert_contains "$out" "[a.js] three-ticks" "schedule returns the normalised tag"
assert_contains "$out" '[a.js] Error: jobs.remove: no job with tag "nope"' "remove of an unknown tag"
assert_contains "$out" '[a.js] Error: jobs.schedule: invalid cron "61 * * * *": ' "invalid cron"
assert_contains "$out" "[a.js] TypeError: jobs.schedule: task must be a function" "task not a function"
assert_contains "$out" "[a.js] true" "the scheduler runs at start"
assert_eq "[a.js] tick 1 hello
[a.js] tick 2 hello
[a.js] tick 3 hello" "$(grep '^\[a.js\] tick' "$T/out")" "limit 3: exactly three runs, with the arguments"
assert_eq 3 "$(grep -c '^\[b.js\] passed three-ticks \*/1 \* \* \* \* \* 3$' "$T/out")" "onJobPassed after each run"
assert_contains "$out" "[b.js] failed boom 1 Error: boom" "onJobFailed for a throw"
assert_contains "$out" "[b.js] failed spin 1 RangeError: execution timeout" "onJobFailed for a timeout"
assert_contains "$(cat "$T/err")" "[a.js:ERROR] (job=spin) RangeError: execution timeout (limit 300 ms)" "timeout logged with the job"
assert_eq "[a.js] list lister" "$(grep '^\[a.js\] list' "$T/out" | tail -1)" "finished jobs leave jobs.list()"

# On time under load: a replay floods a hook that spends ~20 ms per item
# while a job runs every second and notes how late it ran.
"$PYTHON3" "$WH_TOP_SRCDIR/tests/tools/gen_items.py" 250 > "$T/items.jsonl"
cat > "$T/late.js" <<'JS'
jobs.schedule("late", "*/1 * * * * *", function () { console.log("late", Date.now() % 1000); });
function onItemCaptured(d) { var t = Date.now(); while (Date.now() - t < 20) {} }
JS
wh replay "$T/items.jsonl" -c "$cfg" -s "$T/late.js" > "$T/late.out"
runs=$(grep -c '^\[late.js\] late' "$T/late.out")
[ "$runs" -ge 3 ] || fail "the job ran $runs times during a 5 s replay"
limit=100; [ "${WH_VALGRIND:-}" = 1 ] && limit=900
worst=$(sed -n 's/^\[late.js\] late //p' "$T/late.out" | sort -n | tail -1)
[ "$worst" -lt "$limit" ] || fail "a job ran $worst ms after its second (limit $limit)"
