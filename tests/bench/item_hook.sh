#!/bin/sh
# Cost of handing an item to a hook (DESIGN, "The hot path"), lazy item
# versus decoding the item's JSON into JS.  Run by hand from a build tree:
#   make -C build tests/bench/bench_item && tests/bench/item_hook.sh build
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$top/tests/tools/gen_items.py" 1 > "$tmp/items.jsonl"
"$build/tests/bench/bench_item" "$tmp/items.jsonl" "${ITERATIONS:-200000}"
