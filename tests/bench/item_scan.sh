#!/bin/sh
# Item store: what an append costs the script thread, and how fast a
# query can read the store newest first.  Fills a temporary store with
# 1,000,000 generated items (about 1.5 GB; ITEMS= to change), then times
# a full scan and a scan of the newest 100,000 lines (counting lines, and
# again decoding each with jansson), median of 5 runs each.  Run by hand:
#   make -C build && tests/bench/item_scan.sh build
set -eu
build=${1:-build}
gen="$build/tests/bench/gen_items"
n=${ITEMS:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$gen" "$tmp/data" "$n" --bench
du -sh "$tmp/data/items" | sed 's/\t.*/ on disk/'

median() { sort -n | sed -n 3p; }
# Prints "<lines> <median microseconds>" of five scans with these options.
scan() {
  for _ in 1 2 3 4 5; do "$gen" "$tmp/data" --scan "$@"; done > "$tmp/runs"
  echo "$(head -n 1 "$tmp/runs" | cut -d' ' -f1) $(cut -d' ' -f2 "$tmp/runs" | median)"
}
# report "<lines> <microseconds>" LABEL
report() {
  lines=${1% *} us=${1#* }
  echo "$2: $lines lines in $((us / 1000)) ms ($((us * 1000 / lines)) ns/line)"
}
report "$(scan)" "full scan, newest first"
report "$(scan --limit 100000)" "newest 100,000 lines"
report "$(scan --limit 10000 --parse)" "newest 10,000 lines, each decoded (json_loadb)"
