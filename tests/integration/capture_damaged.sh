#!/bin/sh
# The HTTP and DNS capture of capture_{http,dns}_tshark.sh, damaged by
# tests/tools/damage_pcap.py: with TCP segments reordered or duplicated,
# wirehook gives the same items as tshark finds in the intact capture; with
# one segment dropped, it loses only the transaction(s) that segment
# carried bytes of (a gap in a Content-Length body, in a chunked body, and
# in a request body).
. "$WH_TOP_SRCDIR/tests/lib.sh"
. "$WH_TOP_SRCDIR/tests/tools/traffic.sh"
tools=$WH_TOP_SRCDIR/tests/tools
# scapy is a Debian package for the system python
scapy_py=$PYTHON3
"$scapy_py" -c 'import scapy' 2>/dev/null || scapy_py=/usr/bin/python3
"$scapy_py" -c 'import scapy' 2>/dev/null || { need python3-scapy; scapy_py=/usr/bin/python3; }

traffic_all "$T/orig.pcap"
ports="--http-port $HTTP_PORT --http-port $BACKEND_PORT --dns-port $DNS_PORT"
# shellcheck disable=SC2086
"$PYTHON3" "$tools/tshark_items.py" "$T/orig.pcap" --frames $ports >"$T/tshark.jsonl"
n=$(wc -l <"$T/tshark.jsonl")
assert_eq "$((HTTP_EXPECTED + DNS_EXPECTED_UDP + DNS_EXPECTED_TCP))" "$n" "transactions tshark finds"
"$PYTHON3" "$tools/compare_items.py" --selftest "$T/tshark.jsonl"

cfg=$(printf '[capture]\nmax_body = 65536\ndns_port = %s\n' "$DNS_PORT" | wh_config)
failed=
# check NAME [compare_items options]: wirehook on $T/NAME.pcap against tshark
check() {
  _name=$1
  shift
  echo "== $_name"
  if ! wh replay "$T/$_name.pcap" -c "$cfg" --json >"$T/$_name.items.jsonl"; then
    echo "FAIL: wirehook replay $_name.pcap failed" >&2
    failed="$failed $_name"
    return 0
  fi
  "$PYTHON3" "$tools/wirehook_items.py" "$T/$_name.items.jsonl" >"$T/$_name.wirehook.jsonl" &&
    "$PYTHON3" "$tools/compare_items.py" "$T/tshark.jsonl" "$T/$_name.wirehook.jsonl" "$@" ||
    failed="$failed $_name"
}

for mode in reorder duplicate; do
  "$scapy_py" "$tools/damage_pcap.py" "$mode" "$T/orig.pcap" "$T/$mode.pcap" --seed 7 ||
    fail "damage_pcap $mode changed nothing"
  # For information: what tshark's own out-of-order reassembly makes of
  # it (it loses e.g. a close-delimited body whose segments were swapped).
  # shellcheck disable=SC2086
  "$PYTHON3" "$tools/tshark_items.py" "$T/$mode.pcap" --out-of-order $ports \
    >"$T/$mode.tshark.jsonl" 2>/dev/null
  "$PYTHON3" "$tools/compare_items.py" "$T/tshark.jsonl" "$T/$mode.tshark.jsonl" \
    >"$T/$mode.tshark.diff" ||
    { echo "note: tshark itself does not recover all of $mode.pcap:"; sed 's/^/  /' "$T/$mode.tshark.diff"; }
done

# drops: the largest response (Content-Length), a chunked response in the
# middle of a keep-alive connection, a request body (100-continue upload)
"$scapy_py" "$tools/damage_pcap.py" drop "$T/orig.pcap" "$T/drop_resp.pcap" --seed 7 \
  --items "$T/tshark.jsonl" >"$T/drop_resp.cut"
"$scapy_py" "$tools/damage_pcap.py" drop "$T/orig.pcap" "$T/drop_chunked.pcap" --seed 7 \
  --uri 'chunked?n=40' --items "$T/tshark.jsonl" >"$T/drop_chunked.cut"
"$scapy_py" "$tools/damage_pcap.py" drop "$T/orig.pcap" "$T/drop_req.pcap" --seed 7 \
  --part request --uri /echo --items "$T/tshark.jsonl" >"$T/drop_req.cut"

check orig
check reorder
check duplicate
for d in drop_resp drop_chunked drop_req; do
  check "$d" --may-lose "$T/$d.cut"
done
[ -z "$failed" ] || fail "wirehook's items differ from tshark's for:$failed"
