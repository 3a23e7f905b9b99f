#!/bin/sh
# Real HTTP traffic on loopback (nginx, tests/tools/http_backend.py, curl
# and a pipelining client: keep-alive, pipelining, chunked, gzip/deflate,
# POST, 100-continue, HEAD, 204/304/404/500, HTTP/1.0, close-delimited),
# captured with tcpdump.  Every transaction tshark finds is exactly one
# item of `wirehook replay --json` with the same method, URI, status and
# body lengths, and there is no other item.
. "$WH_TOP_SRCDIR/tests/lib.sh"
. "$WH_TOP_SRCDIR/tests/tools/traffic.sh"
tools=$WH_TOP_SRCDIR/tests/tools

traffic_http "$T/http.pcap"
"$PYTHON3" "$tools/tshark_items.py" "$T/http.pcap" --max-body 65536 \
  --http-port "$HTTP_PORT" --http-port "$BACKEND_PORT" >"$T/tshark.jsonl"

# tshark saw what the clients did
"$PYTHON3" - "$T/tshark.jsonl" "$HTTP_EXPECTED" <<'PY' || fail "tshark does not see the generated traffic"
import collections, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
want = int(sys.argv[2])
err = []
def need(cond, what):
    if not cond:
        err.append(what)
http = [r for r in recs if r["proto"] == "http"]
need(len(http) == want, "%d HTTP transactions, expected %d" % (len(http), want))
need(all(r["status"] is not None for r in http), "every request answered")
statuses = {r["status"] for r in http}
need({200, 204, 304, 404, 500} <= statuses, "statuses 200 204 304 404 500 (got %s)" % sorted(statuses))
need({"GET", "POST", "HEAD"} <= {r["method"] for r in http}, "GET, POST and HEAD")
need({"HTTP/1.0", "HTTP/1.1"} <= {r["version"] for r in http}, "HTTP/1.0 and HTTP/1.1")
need(any(r["respContent"] not in (r["respBody"], 65536) for r in http), "a decoded (gzip) body")
need(sum(r["reqBody"] == 150000 for r in http) >= 2, "the 100-continue uploads")
need(any(r["method"] == "HEAD" and r["respBody"] == 0 for r in http), "HEAD without a body")
per_conn = collections.Counter(r["client"] for r in http)
need(sum(n >= 3 for n in per_conn.values()) >= 3, "keep-alive connections with several requests")
need(max(per_conn.values()) >= 6, "the pipelined connection")
need(any(r["uri"] == "/chunked?n=40" and r["respBody"] == 32860 for r in http), "the chunked body")
for e in err:
    print("tshark: missing " + e, file=sys.stderr)
print("tshark: %d HTTP transactions, statuses %s" % (len(http), sorted(statuses)))
sys.exit(1 if err else 0)
PY

# the comparison itself works on this data
"$PYTHON3" "$tools/compare_items.py" --selftest "$T/tshark.jsonl"

cfg=$(printf '[capture]\nmax_body = 65536\n' | wh_config)
wh replay "$T/http.pcap" -c "$cfg" --json >"$T/items.jsonl" || fail "wirehook replay failed"
"$PYTHON3" "$tools/wirehook_items.py" "$T/items.jsonl" >"$T/wirehook.jsonl"
"$PYTHON3" "$tools/compare_items.py" "$T/tshark.jsonl" "$T/wirehook.jsonl" ||
  fail "wirehook's items differ from tshark's transactions"
