#!/bin/sh
# KFL: evaluations per second in C of compiled queries on one HTTP item,
# and what `kfl.match` costs a hook per item (replay of 100,000 generated
# items with and without it; median of 5 runs).  Run by hand:
#   make -C build tests/bench/bench_kfl && tests/bench/kfl.sh build
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$top/tests/tools/gen_items.py" 1 > "$tmp/one.jsonl"
"$build/tests/bench/bench_kfl" "$tmp/one.jsonl" "${ITERATIONS:-1000000}"

n=${ITEMS:-100000}
python3 "$top/tests/tools/gen_items.py" "$n" > "$tmp/items.jsonl"
mkdir -p "$tmp/plugins" "$tmp/data"
ln -s "$(cd "$build" && pwd)"/plugins/*/.libs/*.so "$tmp/plugins/"
printf '[storage]\ndir = %s/data\n[plugins]\ndir = %s/plugins\n' "$tmp" "$tmp" > "$tmp/w.ini"
echo 'var n = 0; function onItemCaptured(d) { if (d.response.status === 500) n++; }' > "$tmp/plain.js"
echo 'var n = 0; function onItemCaptured(d) { if (kfl.match("http and response.status == 500", d)) n++; }' > "$tmp/kfl.js"
median() { sort -n | sed -n 3p; }
run() {
  for _ in 1 2 3 4 5; do
    s=$(date +%s%N)
    "$build/wirehook" replay "$tmp/items.jsonl" -c "$tmp/w.ini" -s "$tmp/$1"
    e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
  done | median
}
plain=$(run plain.js); withkfl=$(run kfl.js)
echo "replay of $n items: hook reading data.response.status $plain us, with kfl.match $withkfl us"
echo "kfl.match from a hook: $(( (withkfl - plain) * 1000 / n )) ns per item (median of 5 runs)"
