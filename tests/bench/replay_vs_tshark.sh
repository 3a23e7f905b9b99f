#!/bin/sh
# Throughput of `wirehook replay` against tshark and tcpdump on the same
# capture of real loopback HTTP traffic.  Run by hand, as root, from the
# top of the tree after building into build/:
#   tests/bench/replay_vs_tshark.sh [ROUNDS]
# ROUNDS captures of tests/tools/traffic.sh's HTTP traffic (default 20) are
# merged into one file; each tool reads it 5 times and the medians are
# printed with the ratios.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-20}
tmp=$(mktemp -d /tmp/wirehook-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
i=0
while [ "$i" -lt "$rounds" ]; do
  sh "$top/tests/tools/traffic.sh" http "$tmp/part$i.pcap" > "$tmp/ports$i" 2>/dev/null
  i=$((i + 1))
done
mergecap -F pcap -w "$tmp/all.pcap" "$tmp"/part*.pcap
ports=$(cat "$tmp"/ports* | tr " " "\n" | sed -n "s/^\(HTTP_PORT\|BACKEND_PORT\)=//p" | sort -u)
decode=""
for p in $ports; do decode="$decode -d tcp.port==$p,http"; done
printf '[storage]\ndir = %s/data\n' "$tmp" > "$tmp/w.ini"

median() { sort -n | sed -n 3p; }
timeit() { # label command...
  label=$1; shift
  for _ in 1 2 3 4 5; do
    s=$(date +%s%N); "$@" > /dev/null 2>&1; e=$(date +%s%N)
    echo $(( (e - s) / 1000000 ))
  done | median > "$tmp/$label.ms"
}
timeit wirehook "$top/build/wirehook" replay "$tmp/all.pcap" -c "$tmp/w.ini" --json
# shellcheck disable=SC2086
timeit tshark tshark -r "$tmp/all.pcap" -T json $decode \
  -o tcp.desegment_tcp_streams:TRUE -o http.desegment_body:TRUE \
  -o http.dechunk_body:TRUE -o http.decompress_body:TRUE -Y http
timeit tcpdump tcpdump -nn -r "$tmp/all.pcap"

packets=$(capinfos -c -M "$tmp/all.pcap" | sed -n 's/.*: *//p' | tail -1)
size=$(stat -c %s "$tmp/all.pcap")
items=$("$top/build/wirehook" replay "$tmp/all.pcap" -c "$tmp/w.ini" --json | wc -l)
w=$(cat "$tmp/wirehook.ms"); t=$(cat "$tmp/tshark.ms"); d=$(cat "$tmp/tcpdump.ms")
echo "capture: $packets packets, $size bytes, $items items (median of 5 runs)"
echo "wirehook replay --json: $w ms"
echo "tshark -T json (HTTP reassembly and decoding on): $t ms  -> wirehook is $(echo "scale=1; $t / $w" | bc)x faster"
echo "tcpdump -nn (headers only, no reassembly): $d ms  -> ratio tcpdump/wirehook $(echo "scale=2; $d / $w" | bc)"
