#!/usr/bin/env python3
"""The transactions tshark finds in a capture, in the canonical form that
compare_items.py compares (wirehook_items.py makes the same form from items).

Usage:
  tshark_items.py FILE.pcap [--http-port P]... [--dns-port P]...
                  [--max-body N] [--frames] [--out-of-order] [--raw]
                  [--tshark-json F]

Runs
  tshark -r FILE -T json -J "frame ip ipv6 tcp tcp.segments udp http dns"
    -o tcp.desegment_tcp_streams:TRUE -o http.desegment_body:TRUE
    -o http.dechunk_body:TRUE -o http.decompress_body:TRUE
    -d tcp.port==P,http (each --http-port)
    -d udp.port==P,dns -d tcp.port==P,dns (each --dns-port)
and prints one JSON object per transaction, sorted, one per line:

  HTTP {"proto":"http","client":"IP:PORT","server":"IP:PORT","method","uri",
        "version","status","reqBody","respBody","respContent"}
  DNS  {"proto":"dns","l4":"udp"|"tcp","client","server",
        "questions":[[name,type]...],"rcode":"No Error"...,
        "answers":[[name,type,data]...]}

An unanswered request or query has status/respBody/respContent (HTTP) or
rcode/answers (DNS) null.  --frames adds "_frames" (the frame numbers that
carry the transaction; for HTTP also "_req_frames" and "_resp_frames");
compare_items.py ignores keys starting with "_".

How the tshark fields map to wirehook item fields:
  method     http.request.method                  request.method
  uri        http.request.uri                     request.url
  version    http.request.version                 request.httpVersion
  status     http.response.code                   response.status
  reqBody    http.content_length (the header), or the sum of
             http.chunk_size for a chunked body,
             0 without either                      request.bodySize
  respBody   0 for HEAD/1xx/204/304; else the sum of http.chunk_size when
             chunked (= tshark's de-chunked length); else
             http.content_length (header); else (close-delimited) X of
             "Content-encoded entity body (C): X bytes -> Y bytes" or the
             length of http.file_data (its UTF-8 text; the exact byte
             count from http.file_data_raw with --raw)   response.bodySize
  respContent  Y from that "Content-encoded entity body" line when tshark
             decoded the body, else respBody; capped at --max-body
             (wirehook's [capture] max_body, default 65536)
                                                  response.content.size
  client/server  ip.src/ip.dst + tcp/udp ports of the request
                                                  src.ip:src.port / dst.ip:dst.port
  questions  dns.qry.name, dns.qry.type (numeric -> mnemonic)
                                                  request.questions[].name/type
  rcode      dns.flags.rcode (-> item text)        response.code
  answers    dns.resp.name (SRV: dns.srv.service.proto.name), dns.resp.type,
             data = dns.a / dns.aaaa (normalised) / dns.cname / dns.ns /
             dns.ptr.domain_name / dns.mx.mail_exchange / dns.srv.target /
             dns.txt joined with ", " / dns.soa.rname
                                                  response.answers[].name/type/
                                                  ip/cname/ns/ptr/mx/srv/txts/soa

Pairing is done here, not with http.request_in/response_in or
dns.response_to: tshark 4.0 pairs pipelined HTTP responses with the last
request of the batch.  HTTP: per TCP connection, requests and responses in
stream order, interim 1xx (except 101) skipped (item-model.md §6).  DNS:
per (transport, client, server, dns.id), first query first
(item-model.md §8).  When tshark's own pairing disagrees outside
pipelining, a warning goes to stderr.
"""
import argparse
import ipaddress
import json
import re
import subprocess
import sys

TSHARK_PREFS = [
    "-o", "tcp.desegment_tcp_streams:TRUE",
    "-o", "http.desegment_body:TRUE",
    "-o", "http.dechunk_body:TRUE",
    "-o", "http.decompress_body:TRUE",
]

DNS_TYPES = {
    1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB", 8: "MG",
    9: "MR", 10: "NULL", 11: "WKS", 12: "PTR", 13: "HINFO", 14: "MINFO",
    15: "MX", 16: "TXT", 17: "RP", 18: "AFSDB", 24: "SIG", 25: "KEY",
    28: "AAAA", 29: "LOC", 33: "SRV", 35: "NAPTR", 36: "KX", 37: "CERT",
    39: "DNAME", 41: "OPT", 42: "APL", 43: "DS", 44: "SSHFP", 45: "IPSECKEY",
    46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 49: "DHCID", 50: "NSEC3",
    51: "NSEC3PARAM", 52: "TLSA", 53: "SMIMEA", 55: "HIP", 59: "CDS",
    60: "CDNSKEY", 61: "OPENPGPKEY", 62: "CSYNC", 63: "ZONEMD", 64: "SVCB",
    65: "HTTPS", 99: "SPF", 108: "EUI48", 109: "EUI64", 249: "TKEY",
    250: "TSIG", 251: "IXFR", 252: "AXFR", 255: "ANY", 256: "URI", 257: "CAA",
}
DNS_RCODES = [
    "No Error", "Format Error", "Server Failure", "Non-Existent Domain",
    "Not Implemented", "Query Refused", "Name Exists when it should not",
    "RR Set Exists when it should not", "RR Set that should exist does not",
    "Server Not Authoritative for zone", "Name not contained in zone",
]


def dns_type(n):
    return DNS_TYPES.get(n, "TYPE%d" % n)


def dns_rcode(n):
    return DNS_RCODES[n] if 0 <= n < len(DNS_RCODES) else "RCode%d" % n


def norm_ip(s):
    try:
        return str(ipaddress.ip_address(s))
    except ValueError:
        return s


class Multi(list):
    """Values of a key that tshark repeated within one JSON object."""


def _pairs(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            if not isinstance(d[k], Multi):
                d[k] = Multi([d[k]])
            d[k].append(v)
        else:
            d[k] = v
    return d


def as_list(v):
    if v is None:
        return []
    return list(v) if isinstance(v, Multi) else [v]


def find_all(obj, key, out=None):
    """Every value of KEY anywhere under OBJ (depth first, in order)."""
    if out is None:
        out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key:
                out.extend(as_list(v))
            else:
                for x in as_list(v):
                    find_all(x, key, out)
    elif isinstance(obj, list):
        for x in obj:
            find_all(x, key, out)
    return out


def find(obj, key, default=None):
    r = find_all(obj, key)
    return r[0] if r else default


def find_keys(obj, pattern, out=None):
    """Every key (tshark's text-only items) under OBJ matching PATTERN."""
    if out is None:
        out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            m = pattern.search(k)
            if m:
                out.append(m)
            for x in as_list(v):
                find_keys(x, pattern, out)
    elif isinstance(obj, list):
        for x in obj:
            find_keys(x, pattern, out)
    return out


def run_tshark(pcap, http_ports, dns_ports, out_of_order=False, raw=False, tshark="tshark"):
    cmd = [tshark, "-r", pcap, "-n", "-T", "json",
           "-J", "frame ip ipv6 tcp tcp.segments udp http dns"] + TSHARK_PREFS
    if raw:
        cmd.append("-x")
    if out_of_order:
        cmd += ["-o", "tcp.reassemble_out_of_order:TRUE"]
    for p in http_ports:
        cmd += ["-d", "tcp.port==%d,http" % p]
    for p in dns_ports:
        cmd += ["-d", "udp.port==%d,dns" % p, "-d", "tcp.port==%d,dns" % p]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err = b"\n".join(l for l in r.stderr.splitlines()
                     if b"Running as user" not in l).decode(errors="replace")
    if r.returncode != 0:
        sys.exit("tshark_items: %s failed (%d): %s" % (" ".join(cmd), r.returncode, err))
    return load_json(r.stdout)


def load_json(data):
    if isinstance(data, bytes):
        data = data.decode("utf-8", errors="replace")
    return json.loads(data, object_pairs_hook=_pairs) if data.strip() else []


def _endpoints(layers):
    ip = layers.get("ip") or layers.get("ipv6")
    if isinstance(ip, Multi):  # tunnels: the innermost
        ip = ip[-1]
    if ip is None:
        return None
    src = ip.get("ip.src") or ip.get("ipv6.src")
    dst = ip.get("ip.dst") or ip.get("ipv6.dst")
    return norm_ip(src), norm_ip(dst)


def _frames_of(layers, frame, first):
    """Frame numbers of a PDU: the reassembled segments when the PDU is the
    first one tshark completed in this frame, else just this frame."""
    segs = layers.get("tcp.segments")
    if first and segs is not None:
        s = as_list(segs)[0]
        return sorted({int(x) for x in as_list(s.get("tcp.segment"))} | {frame})
    return [frame]


ENCODED = re.compile(r"^Content-encoded entity body \(([^)]*)\): (\d+) bytes -> (\d+) bytes")


def _http_message(h):
    """What we need from one http object of tshark."""
    m = {"request": find(h, "http.request") == "1",
         "response": find(h, "http.response") == "1"}
    if m["request"]:
        m["method"] = find(h, "http.request.method")
        m["uri"] = find(h, "http.request.uri")
        m["version"] = find(h, "http.request.version")
        m["response_in"] = find(h, "http.response_in")
    if m["response"]:
        m["status"] = int(find(h, "http.response.code", "0"))
        m["request_in"] = find(h, "http.request_in")
    te = ",".join(find_all(h, "http.transfer_encoding")).lower()
    chunks = [int(x) for x in find_all(h, "http.chunk_size")]
    m["chunked"] = "chunked" in te
    m["chunk_sum"] = sum(chunks)
    cl = find(h, "http.content_length")
    m["content_length"] = int(cl) if cl is not None else None
    enc = find_keys(h, ENCODED)
    m["encoded"] = (int(enc[0].group(2)), int(enc[0].group(3))) if enc else None
    raw = find(h, "http.file_data_raw")
    if raw is not None:
        m["file_data_len"] = int(raw[2])
    else:
        fd = find(h, "http.file_data")
        m["file_data_len"] = len(fd.encode("utf-8", "surrogateescape")) if fd is not None else 0
    return m


def _http_body(m, no_body):
    if no_body:
        return 0, 0
    if m["chunked"]:
        wire = m["chunk_sum"]
    elif m["content_length"] is not None:
        wire = m["content_length"]
    elif m["encoded"]:
        wire = m["encoded"][0]
    else:
        wire = m.get("file_data_len", 0)
    decoded = m["encoded"][1] if m["encoded"] else wire
    return wire, decoded


def _dns_answer(rr, key):
    t = int(rr.get("dns.resp.type", "0"))
    name = rr.get("dns.resp.name")
    if name is None and "dns.srv.service" in rr:
        name = "%s.%s.%s" % (rr["dns.srv.service"], rr.get("dns.srv.proto", ""),
                             rr.get("dns.srv.name", ""))
    if name is None:
        name = key.split(": type ")[0]
    if name == "<Root>":
        name = ""
    if t in (1, 28):
        data = norm_ip(rr.get("dns.a") or rr.get("dns.aaaa") or "")
    elif t == 5:
        data = rr.get("dns.cname", "")
    elif t == 2:
        data = rr.get("dns.ns", "")
    elif t == 12:
        data = rr.get("dns.ptr.domain_name", "")
    elif t == 15:
        data = rr.get("dns.mx.mail_exchange", "")
    elif t == 33:
        data = rr.get("dns.srv.target", "")
    elif t == 16:
        data = ", ".join(as_list(rr.get("dns.txt")))
    elif t == 6:
        data = rr.get("dns.soa.rname", "")
    else:
        data = ""
    return [name, dns_type(t), data]


def _dns_rrs(section):
    out = []
    if isinstance(section, dict):
        for k, v in section.items():
            for rr in as_list(v):
                if isinstance(rr, dict):
                    out.append(_dns_answer(rr, k))
    return out


def _dns_message(d):
    flags = d.get("dns.flags_tree", {})
    qs = []
    for k, v in (d.get("Queries") or {}).items():
        for q in as_list(v):
            name = q.get("dns.qry.name", "")
            qs.append([("" if name == "<Root>" else name), dns_type(int(q.get("dns.qry.type", "0")))])
    return {
        "id": int(d.get("dns.id", "0"), 16),
        "response": flags.get("dns.flags.response") == "1",
        "rcode": int(flags.get("dns.flags.rcode", "0")),
        "questions": qs,
        "answers": _dns_rrs(d.get("Answers")),
        "response_to": d.get("dns.response_to"),
    }


def warn(msg):
    print("tshark_items: " + msg, file=sys.stderr)


def extract(packets, max_body=65536):
    http_conns = {}   # tcp.stream -> {"req": [...], "resp": [...]}
    dns_pending = {}  # (l4, client, server, id) -> [query, ...]
    dns_done = []
    for p in packets:
        layers = p["_source"]["layers"]
        frame = int(layers["frame"]["frame.number"])
        ends = _endpoints(layers)
        tcp, udp = layers.get("tcp"), layers.get("udp")
        if isinstance(tcp, Multi):
            tcp = tcp[-1]
        if isinstance(udp, Multi):
            udp = udp[-1]
        l4 = "tcp" if tcp is not None else "udp" if udp is not None else None
        if ends is None or l4 is None:
            continue
        t = tcp if tcp is not None else udp
        sport, dport = t[l4 + ".srcport"], t[l4 + ".dstport"]
        src, dst = "%s:%s" % (ends[0], sport), "%s:%s" % (ends[1], dport)
        first = True
        for h in as_list(layers.get("http")):
            if not isinstance(h, dict):
                continue
            m = _http_message(h)
            m.update(frame=frame, src=src, dst=dst,
                     frames=_frames_of(layers, frame, first))
            first = False
            c = http_conns.setdefault(tcp["tcp.stream"], {"req": [], "resp": []})
            if m["request"]:
                c["req"].append(m)
            elif m["response"]:
                if 100 <= m["status"] < 200 and m["status"] != 101:
                    continue
                c["resp"].append(m)
            else:
                warn("frame %d: an HTTP PDU that is neither request nor response" % frame)
        for d in as_list(layers.get("dns")):
            if not isinstance(d, dict) or "dns.id" not in d:
                continue
            m = _dns_message(d)
            m.update(frame=frame, frames=_frames_of(layers, frame, first) if l4 == "tcp" else [frame])
            first = False
            if not m["response"]:
                dns_pending.setdefault((l4, src, dst, m["id"]), []).append(m)
                continue
            q = dns_pending.get((l4, dst, src, m["id"]))
            if not q:
                warn("frame %d: DNS response without a query" % frame)
                continue
            query = q.pop(0)
            if m["response_to"] is not None and int(m["response_to"]) != query["frame"]:
                warn("frame %d: tshark pairs this DNS response with frame %s, we with %d"
                     % (frame, m["response_to"], query["frame"]))
            dns_done.append((l4, dst, src, query, m))

    out = []
    for stream, c in http_conns.items():
        reqs, resps = c["req"], c["resp"]
        pipelined = any(r["frame"] == s["frame"] for r in reqs for s in reqs if r is not s)
        for i, rq in enumerate(reqs):
            rs = resps[i] if i < len(resps) else None
            rec = {"proto": "http", "client": rq["src"], "server": rq["dst"],
                   "method": rq["method"], "uri": rq["uri"], "version": rq["version"],
                   "reqBody": _http_body(rq, False)[0],
                   "status": None, "respBody": None, "respContent": None,
                   "_frames": list(rq["frames"]), "_req_frames": list(rq["frames"]),
                   "_resp_frames": []}
            if rs is not None:
                no_body = rq["method"] == "HEAD" or rs["status"] in (204, 304) or rs["status"] < 200
                wire, decoded = _http_body(rs, no_body)
                rec.update(status=rs["status"], respBody=wire,
                           respContent=min(decoded, max_body) if max_body else decoded)
                rec["_frames"] = sorted(set(rec["_frames"]) | set(rs["frames"]))
                rec["_resp_frames"] = list(rs["frames"])
                if (not pipelined and rs["request_in"] is not None
                        and int(rs["request_in"]) != rq["frame"]):
                    warn("tcp.stream %s: tshark pairs the response in frame %d with frame %s, "
                         "we with %d" % (stream, rs["frame"], rs["request_in"], rq["frame"]))
            out.append(rec)
        for rs in resps[len(reqs):]:
            warn("tcp.stream %s: response in frame %d without a request" % (stream, rs["frame"]))
    for l4, client, server, q, r in dns_done:
        out.append({"proto": "dns", "l4": l4, "client": client, "server": server,
                    "questions": q["questions"], "rcode": dns_rcode(r["rcode"]),
                    "answers": r["answers"],
                    "_frames": sorted(set(q["frames"]) | set(r["frames"]))})
    for (l4, client, server, _), qs in dns_pending.items():
        for q in qs:
            out.append({"proto": "dns", "l4": l4, "client": client, "server": server,
                        "questions": q["questions"], "rcode": None, "answers": None,
                        "_frames": list(q["frames"])})
    return out


def dumps(rec, frames=False):
    if not frames:
        rec = {k: v for k, v in rec.items() if not k.startswith("_")}
    return json.dumps(rec, sort_keys=True, separators=(",", ":"))


def canonical_lines(recs, frames=False):
    return sorted(dumps(r, frames) for r in recs)


def transactions(pcap, http_ports=(), dns_ports=(), max_body=65536, out_of_order=False,
                 raw=False):
    return extract(run_tshark(pcap, http_ports, dns_ports, out_of_order, raw), max_body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pcap")
    ap.add_argument("--http-port", type=int, action="append", default=[])
    ap.add_argument("--dns-port", type=int, action="append", default=[])
    ap.add_argument("--max-body", type=int, default=65536)
    ap.add_argument("--frames", action="store_true", help="add _frames to each record")
    ap.add_argument("--out-of-order", action="store_true",
                    help="let tshark reassemble out-of-order segments")
    ap.add_argument("--raw", action="store_true",
                    help="run tshark with -x: exact lengths of close-delimited binary bodies "
                    "(slower)")
    ap.add_argument("--tshark-json", help="read this saved `tshark -T json` output instead")
    a = ap.parse_args()
    if a.tshark_json:
        with open(a.tshark_json, "rb") as f:
            packets = load_json(f.read())
    else:
        packets = run_tshark(a.pcap, a.http_port, a.dns_port, a.out_of_order, a.raw)
    for line in canonical_lines(extract(packets, a.max_body), a.frames):
        print(line)


if __name__ == "__main__":
    main()
