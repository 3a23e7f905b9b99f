#!/bin/sh
# pcap.* on real loopback traffic (HTTP and DNS, tests/tools/traffic.sh)
# replayed with `wirehook replay`: every per-stream file holds exactly the
# packets of its flow; pcap.path names it; at the last item pcap.snapshot()
# merges every packet of the capture in time order, pcap.snapshot([s])
# equals stream s, pcap.snapshot([]) is a bare header; bad arguments throw
# TypeError, a missing name is skipped with a warning; pcap.snapshot(dir)
# merges the files copied into a file.mkdirTemp directory.
. "$WH_TOP_SRCDIR/tests/lib.sh"
. "$WH_TOP_SRCDIR/tests/tools/traffic.sh"
tools=$WH_TOP_SRCDIR/tests/tools

traffic_need http
traffic_need dns
http_servers_start
dns_server_start
capture_start "$T/raw.pcap" "tcp port $HTTP_PORT or tcp port $BACKEND_PORT or port $DNS_PORT"
http_clients
dns_clients
# the last exchange: one UDP query, so that every other stream has ended
# (TCP) or been flushed (UDP, at its item) when its item is delivered
dig @127.0.0.1 -p "$DNS_PORT" +tries=1 +time=3 mail.wh.test A >/dev/null
capture_stop
traffic_cleanup
# without traffic.sh's empty sync datagrams (their flow stays open, so its
# file is only written at the end of the replay)
tshark -r "$T/raw.pcap" -Y "not udp.port == $TRAFFIC_SYNC_PORT" -F pcap -w "$T/unordered.pcap" 2>/dev/null
# loopback packets stamped on two CPUs can be a few microseconds out of
# order in the file; a merge of per-stream files (ours, like mergecap's)
# keeps each stream's order, so it is monotonic only if the input was
reordercap "$T/unordered.pcap" "$T/cap.pcap" >/dev/null
npk=$(capinfos -c -M "$T/cap.pcap" | awk '/Number of packets/ {print $NF}')
nraw=$(capinfos -c -M "$T/raw.pcap" | awk '/Number of packets/ {print $NF}')
[ "$npk" -gt 300 ] && [ "$npk" -lt "$nraw" ] || fail "capture: $npk packets of $nraw"
nitems=$((HTTP_EXPECTED + DNS_EXPECTED_UDP + DNS_EXPECTED_TCP + 1))

cfg=$(printf '[capture]\ndns_port = %s\nmax_body = 65536\n[scripting.env]\nITEMS = %s\n' \
  "$DNS_PORT" "$nitems" | wh_config)
cat >"$T/helpers.js" <<'JS'
var n = 0, streams = {}, bad = [];
function t(f) {
  try { return "ok " + f(); } catch (e) { return (e instanceof TypeError ? "TypeError " : "other ") + String(e); }
}
function onItemCaptured(data) {
  n++;
  streams[data.stream] = true;
  if (pcap.path(data.stream) !== "pcaps/" + data.stream)
    bad.push(data.stream + " -> " + pcap.path(data.stream));
  if (n !== Number(ITEMS))
    return;
  var names = Object.keys(streams).sort();
  console.log("STREAMS " + names.join(" "));
  console.log("BADPATH " + bad.length + " " + bad.join(","));
  console.log("ALL " + pcap.snapshot());
  console.log("ONE " + data.stream + " " + pcap.snapshot([data.stream]));
  console.log("NONE " + pcap.snapshot([]));
  console.log("NULL " + pcap.snapshot(null, "pcaps"));
  console.log("P1 " + t(function () { return pcap.path("../x"); }));
  console.log("P2 " + t(function () { return pcap.path("a/b"); }));
  console.log("P3 " + t(function () { return pcap.path(".."); }));
  console.log("S1 " + t(function () { return pcap.snapshot([names[0], 7]); }));
  console.log("S2 " + t(function () { return pcap.snapshot([names[0], null]); }));
  console.log("MISS " + t(function () { return pcap.snapshot(["no-such.pcap", names[0]]); }) + " " + names[0]);
  var dir = file.mkdirTemp("e2e_snap_");
  console.log("TMP " + dir);
  console.log("CP " + file.copy("pcaps/" + names[0], dir) + " " + file.copy("pcaps/" + names[1], dir + "/"));
  console.log("DIR " + names[0] + " " + names[1] + " " + t(function () { return pcap.snapshot(dir); }));
  console.log("DIR1 " + names[1] + " " + t(function () { return pcap.snapshot([names[1]], dir); }));
}
JS
wh replay "$T/cap.pcap" -c "$cfg" -s "$T/helpers.js" >"$T/out.txt" 2>"$T/err.txt" ||
  { cat "$T/err.txt" >&2; fail "wirehook replay failed"; }
out=$(cat "$T/out.txt")
line() { sed -n "s/^\[helpers.js\] $1 //p" "$T/out.txt"; }
data=$T/data

# pcap.path: "pcaps/" + stream for every item; bad names are TypeErrors
assert_eq "0 " "$(line BADPATH)" "pcap.path(data.stream) for every item"
assert_eq 'TypeError TypeError: pcap.path: stream "../x" is not a plain file name' "$(line P1)" 'pcap.path("../x")'
assert_eq 'TypeError TypeError: pcap.path: stream "a/b" is not a plain file name' "$(line P2)" 'pcap.path("a/b")'
assert_eq 'TypeError TypeError: pcap.path: stream ".." is not a plain file name' "$(line P3)" 'pcap.path("..")'
assert_eq 'TypeError TypeError: pcap.snapshot: selectedPcaps[1] is not a string' "$(line S1)" 'pcap.snapshot([name, 7])'
assert_eq 'TypeError TypeError: pcap.snapshot: selectedPcaps[1] is not a string' "$(line S2)" 'pcap.snapshot([name, null])'

# every stream with an item has its file, named by the stream rule
streams=$(line STREAMS)
[ -n "$streams" ] || { cat "$T/out.txt" "$T/err.txt" >&2; fail "the last item was not seen"; }
for s in $streams; do
  [ -f "$data/pcaps/$s" ] || fail "no file pcaps/$s"
  tcpdump -r "$data/pcaps/$s" -n >/dev/null 2>&1 || fail "tcpdump cannot read pcaps/$s"
done
# each stream file holds exactly the packets of its flow, and every packet
# of the capture is in one of them
"$PYTHON3" "$tools/e2e_pcap.py" streams "$T/cap.pcap" "$data/pcaps" ||
  fail "the per-stream files do not hold exactly their flows' packets"
# tshark's own view of the TCP streams: as many TCP streams as files, and
# the packet counts per stream agree with capinfos on the files
ntcp=$(tshark -r "$T/cap.pcap" -T fields -e tcp.stream 2>/dev/null | sort -un | grep -c .)
assert_eq "$ntcp" "$(ls "$data/pcaps" | grep -vc _udp)" "TCP stream files vs tshark's tcp.stream"
for f in "$data"/pcaps/*[0-9].pcap; do
  port=$(tshark -r "$f" -c 1 -T fields -e tcp.srcport -e tcp.dstport 2>/dev/null |
    awk '{print ($1 > $2) ? $1 : $2}')
  want=$(tshark -r "$T/cap.pcap" -Y "tcp.port == $port" 2>/dev/null | grep -c .)
  got=$(capinfos -c -M "$f" | awk '/Number of packets/ {print $NF}')
  [ "$want" = "$got" ] ||
    fail "${f##*/} (client port $port): $got packets, tshark finds $want in the capture"
done

# the snapshots taken at the last item
all=$(line ALL) one=$(line ONE) none=$(line NONE) nul=$(line NULL)
case $all in [0-9]*.pcap) ;; *) fail "pcap.snapshot() returned \"$all\"" ;; esac
last=${one%% *} one=${one#* }
assert_eq "$(ls "$data/pcaps" | sort | tail -n 1)" "$last" "the last item's stream is the newest"
case $one in "${all%.pcap}_1.pcap") ;; *) fail "second snapshot in the same second: $one (first $all)" ;; esac
[ "$(ls "$data" | grep -c '^[0-9_]*\.pcap$')" -ge 4 ] || fail "snapshots in the data root"
"$PYTHON3" "$tools/e2e_pcap.py" merged "$T/cap.pcap" "$data/$all" ||
  fail "pcap.snapshot() does not hold every packet of the capture"
assert_eq "$npk" "$(capinfos -c -M "$data/$all" | awk '/Number of packets/ {print $NF}')" \
  "capinfos: packets of the full snapshot"
tcpdump -r "$data/$all" -n 2>/dev/null | awk '{print $1}' | sort -c ||
  fail "tcpdump: snapshot timestamps out of order"
"$PYTHON3" "$tools/e2e_pcap.py" same "$data/pcaps/$last" "$data/$one" ||
  fail "pcap.snapshot([stream]) differs from the stream"
"$PYTHON3" "$tools/e2e_pcap.py" empty "$data/$none" || fail "pcap.snapshot([]) is not header-only"
assert_eq 0 "$(capinfos -c -M "$data/$none" | awk '/Number of packets/ {print $NF}')" "capinfos: empty snapshot"
"$PYTHON3" "$tools/e2e_pcap.py" same "$data/$all" "$data/$nul" ||
  fail "pcap.snapshot(null, \"pcaps\") differs from pcap.snapshot()"

# a missing name is skipped with a warning, the others are merged
miss=$(line MISS)
first=${miss##* }
assert_contains "$out" "[helpers.js] pcap.snapshot: pcaps/no-such.pcap: No such file or directory; skipped" \
  "warning for a missing name"
miss=${miss% *}
case $miss in "ok "[0-9]*.pcap) ;; *) fail "pcap.snapshot([missing, name]): $miss" ;; esac
"$PYTHON3" "$tools/e2e_pcap.py" same "$data/pcaps/$first" "$data/${miss#ok }" ||
  fail "pcap.snapshot([missing, name]) is not that stream"

# file.mkdirTemp + file.copy, then pcap.snapshot(dir) and ([name], dir)
tmp=$(line TMP)
case $tmp in e2e_snap_[0-9]*) ;; *) fail "file.mkdirTemp: $tmp" ;; esac
set -- $(line DIR)
s0=$1 s1=$2
assert_eq "$tmp/$s0 $tmp/$s1" "$(line CP)" "file.copy into the temp directory"
assert_eq "$(ls "$data/$tmp" | sort | tr '\n' ' ')" "$s0 $s1 " "files in the temp directory"
case $3 in ok) ;; *) fail "pcap.snapshot(dir): $*" ;; esac
mergecap -F pcap -w "$T/two.pcap" "$data/pcaps/$s0" "$data/pcaps/$s1"
"$PYTHON3" "$tools/e2e_pcap.py" merged "$T/two.pcap" "$data/$4" || fail "pcap.snapshot(dir)"
set -- $(line DIR1)
case $2 in ok) ;; *) fail "pcap.snapshot([name], dir): $*" ;; esac
"$PYTHON3" "$tools/e2e_pcap.py" same "$data/pcaps/$1" "$data/$3" || fail "pcap.snapshot([name], dir)"
