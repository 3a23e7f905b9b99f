#!/bin/sh
# Retention of the item store and the PCAP store with small limits: a
# real loopback capture replayed six times (each replay stores its items
# in new segments) leaves at most the size limit plus the newest segment,
# the oldest segments and streams go first, files that are not the
# store's are kept, and a daemon started afterwards answers queries from
# the segments that remain, newest first.
. "$WH_TOP_SRCDIR/tests/lib.sh"
. "$WH_TOP_SRCDIR/tests/tools/traffic.sh"

traffic_http "$T/http.pcap"
cfg=$(printf '[storage]\nitems_segment_size = 16K\nitems_max_size = 64K\nmax_size = 100K\n[capture]\nmax_body = 2048\n' |
  wh_config)
mkdir -p "$T/data/items"
echo keep >"$T/data/items/notes.txt"
for run in 1 2 3 4 5 6; do
  wh replay "$T/http.pcap" -c "$cfg" >/dev/null 2>"$T/replay.err" ||
    fail "replay $run: $(cat "$T/replay.err")"
  sleep 1 # a new run starts a new segment, named by time and sequence
done

items=$T/data/items
ls "$items" >"$T/segments"
[ -f "$items/notes.txt" ] || fail "retention deleted a file that is not a segment"
nseg=$(grep -c '\.jsonl$' "$T/segments")
total=$(cat "$items"/*.jsonl | wc -c)
newest=$(grep '\.jsonl$' "$T/segments" | sort | tail -n 1)
newest_size=$(wc -c <"$items/$newest")
[ "$total" -le $((65536 + newest_size)) ] ||
  fail "items: $total bytes in $nseg segments, limit 64K + the newest ($newest_size)"
# six replays wrote far more than 64K of items: the first ones are gone
first_seq=$(grep '\.jsonl$' "$T/segments" | sort | head -n 1 | sed 's/^[0-9]*-0*\([0-9]*\)\.jsonl$/\1/')
[ "${first_seq:-1}" -gt 1 ] || fail "the oldest segment was not deleted: $(cat "$T/segments")"
pcaps=$(cat "$T/data/pcaps"/*.pcap | wc -c)
[ "$pcaps" -le 102400 ] || fail "pcaps: $pcaps bytes, limit 100K"
[ "$(ls "$T/data/pcaps" | grep -c .)" -gt 0 ] || fail "every pcap was deleted"

# queries work on what is left
lines=$(cat "$items"/*.jsonl | grep -c .)
wh_bg run -c "$cfg" >"$T/out" 2>"$T/err"
pid=$!
WH_KILL="$WH_KILL $pid"
i=0
until "$WH_BIN" status -c "$cfg" >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -gt 400 ] && fail "the daemon does not answer: $(cat "$T/err")"; sleep 0.1
done
"$WH_BIN" query http -c "$cfg" --json --limit 10000 >"$T/q.json" 2>"$T/q.err" ||
  fail "query: $(cat "$T/q.err")"
assert_eq "$lines" "$(grep -c . "$T/q.json")" "items answered vs lines in the remaining segments"
assert_eq "$(tail -n 1 "$items/$newest" | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["id"])')" \
  "$(head -n 1 "$T/q.json" | "$PYTHON3" -c 'import json,sys; print(json.load(sys.stdin)["id"])')" \
  "the first answer is the newest stored item"
kill -TERM $pid
rc=0; wait $pid || rc=$?
assert_eq 0 "$rc" "daemon exit status"
