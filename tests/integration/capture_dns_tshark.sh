#!/bin/sh
# Real DNS traffic on loopback: dnsmasq with a small zone (A, AAAA, a CNAME
# chain, TXT, MX, SRV, PTR, NXDOMAIN) queried by dig over UDP, over TCP and
# several queries on one TCP connection.  Every query/answer tshark finds is
# exactly one item of `wirehook replay --json` with the same questions,
# rcode and answers (name, type, data), and there is no other item.
. "$WH_TOP_SRCDIR/tests/lib.sh"
. "$WH_TOP_SRCDIR/tests/tools/traffic.sh"
tools=$WH_TOP_SRCDIR/tests/tools

traffic_dns "$T/dns.pcap"
"$PYTHON3" "$tools/tshark_items.py" "$T/dns.pcap" --dns-port "$DNS_PORT" >"$T/tshark.jsonl"

"$PYTHON3" - "$T/tshark.jsonl" "$DNS_EXPECTED_UDP" "$DNS_EXPECTED_TCP" <<'PY' || fail "tshark does not see the generated traffic"
import collections, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
want_udp, want_tcp = int(sys.argv[2]), int(sys.argv[3])
err = []
def need(cond, what):
    if not cond:
        err.append(what)
dns = [r for r in recs if r["proto"] == "dns"]
udp = [r for r in dns if r["l4"] == "udp"]
tcp = [r for r in dns if r["l4"] == "tcp"]
need(len(dns) == len(recs), "nothing but DNS")
need(len(udp) == want_udp, "%d queries over UDP, expected %d" % (len(udp), want_udp))
need(len(tcp) == want_tcp, "%d queries over TCP, expected %d" % (len(tcp), want_tcp))
need(all(r["rcode"] is not None for r in dns), "every query answered")
need(any(r["rcode"] == "Non-Existent Domain" for r in udp) and
     any(r["rcode"] == "Non-Existent Domain" for r in tcp), "NXDOMAIN over UDP and TCP")
types = {a[1] for r in dns for a in r["answers"] or []}
need({"A", "AAAA", "CNAME", "TXT", "MX", "SRV", "PTR"} <= types, "answer types (got %s)" % sorted(types))
need(any([a[1] for a in r["answers"] or []] == ["CNAME", "CNAME", "A"] for r in dns), "the CNAME chain")
need(max(collections.Counter(r["client"] for r in tcp).values(), default=0) >= 5,
     "several queries on one TCP connection")
for e in err:
    print("tshark: missing " + e, file=sys.stderr)
print("tshark: %d DNS queries over UDP, %d over TCP, answer types %s" % (len(udp), len(tcp), sorted(types)))
sys.exit(1 if err else 0)
PY

"$PYTHON3" "$tools/compare_items.py" --selftest "$T/tshark.jsonl"

cfg=$(printf '[capture]\ndns_port = %s\n' "$DNS_PORT" | wh_config)
wh replay "$T/dns.pcap" -c "$cfg" --json >"$T/items.jsonl" || fail "wirehook replay failed"
"$PYTHON3" "$tools/wirehook_items.py" "$T/items.jsonl" >"$T/wirehook.jsonl"
"$PYTHON3" "$tools/compare_items.py" "$T/tshark.jsonl" "$T/wirehook.jsonl" ||
  fail "wirehook's items differ from tshark's transactions"
