#!/usr/bin/env python3
"""Canonical transactions (the form of tshark_items.py) from wirehook items.

Usage: wirehook_items.py [ITEMS.jsonl]     (default: stdin)
       wirehook_items.py --make-items CANONICAL.jsonl


Reads the output of `wirehook replay FILE.pcap --json` (one item per line,
item-model.md) and prints one canonical JSON line per HTTP or DNS item,
sorted.  Field mapping (see tshark_items.py for the tshark side):
  HTTP: client = src.ip:src.port, server = dst.ip:dst.port,
        method = request.method, uri = request.url,
        version = request.httpVersion, reqBody = request.bodySize,
        status = response.status, respBody = response.bodySize,
        respContent = response.content.size
        (an unanswered item, response {}: status/respBody/respContent null)
  DNS:  l4 = protocol.layer4, questions = request.questions[].[name, type],
        rcode = response.code,
        answers = response.answers[].[name, type, data] where data is ip
        (A/AAAA, normalised), cname, ns, ptr, mx, srv, txts or soa by type,
        else "" (unanswered: rcode/answers null)
--make-items does the reverse: minimal item-shaped JSON lines (only the
fields above) from canonical lines, to test the comparison without wirehook.

Lines that are not JSON objects are reported on stderr and make the exit
status 1 (after printing the rest); items of other protocols are skipped
with a note.
"""
import ipaddress
import json
import sys


def norm_ip(s):
    try:
        return str(ipaddress.ip_address(s))
    except ValueError:
        return s


def endpoint(e):
    return "%s:%s" % (norm_ip(e.get("ip", "")), e.get("port", ""))


DATA_FIELD = {"CNAME": "cname", "NS": "ns", "PTR": "ptr", "MX": "mx", "SRV": "srv",
              "TXT": "txts", "SOA": "soa", "URI": "uri"}


def answer(rr):
    t = rr.get("type", "")
    if t in ("A", "AAAA"):
        data = norm_ip(rr.get("ip", ""))
    elif t in DATA_FIELD:
        data = rr.get(DATA_FIELD[t], "")
    else:
        data = ""
    return [rr.get("name", ""), t, data]


def canonical(item):
    proto = (item.get("protocol") or {}).get("name")
    req = item.get("request") or {}
    resp = item.get("response") or {}
    answered = bool(resp)
    if proto == "http":
        return {"proto": "http", "client": endpoint(item.get("src", {})),
                "server": endpoint(item.get("dst", {})),
                "method": req.get("method"), "uri": req.get("url"),
                "version": req.get("httpVersion"), "reqBody": req.get("bodySize"),
                "status": resp.get("status") if answered else None,
                "respBody": resp.get("bodySize") if answered else None,
                "respContent": (resp.get("content") or {}).get("size") if answered else None}
    if proto == "dns":
        return {"proto": "dns", "l4": (item.get("protocol") or {}).get("layer4"),
                "client": endpoint(item.get("src", {})),
                "server": endpoint(item.get("dst", {})),
                "questions": [[q.get("name", ""), q.get("type", "")]
                              for q in req.get("questions") or []],
                "rcode": resp.get("code") if answered else None,
                "answers": [answer(a) for a in resp.get("answers") or []] if answered else None}
    return None


def lines_from(f):
    bad = 0
    out = []
    for n, line in enumerate(f, 1):
        line = line.strip()
        if not line:
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("not an object")
        except ValueError as e:
            print("wirehook_items: line %d is not a JSON object (%s): %.120s" % (n, e, line),
                  file=sys.stderr)
            bad += 1
            continue
        rec = canonical(item)
        if rec is None:
            print("wirehook_items: line %d: skipping protocol %r" %
                  (n, (item.get("protocol") or {}).get("name")), file=sys.stderr)
            continue
        out.append(json.dumps(rec, sort_keys=True, separators=(",", ":")))
    return sorted(out), bad


def make_item(rec):
    """A minimal item (item-model.md) that canonical() maps back to REC."""
    def ep(s):
        ip, _, port = s.rpartition(":")
        return {"ip": ip, "port": port, "name": "", "namespace": ""}
    item = {"src": ep(rec["client"]), "dst": ep(rec["server"])}
    if rec["proto"] == "http":
        item["protocol"] = {"name": "http", "abbr": "HTTP", "layer4": "tcp"}
        item["request"] = {"method": rec["method"], "url": rec["uri"],
                           "httpVersion": rec["version"], "bodySize": rec["reqBody"]}
        item["response"] = {} if rec["status"] is None else {
            "status": rec["status"], "bodySize": rec["respBody"],
            "content": {"size": rec["respContent"], "encoding": "base64"}}
    else:
        item["protocol"] = {"name": "dns", "abbr": "DNS", "layer4": rec["l4"]}
        item["request"] = {"opCode": "Query", "questions": [
            {"name": n, "type": t, "class": "IN"} for n, t in rec["questions"]]}
        if rec["rcode"] is None:
            item["response"] = {}
        else:
            answers = []
            for n, t, d in rec["answers"]:
                a = {"name": n, "type": t, "class": "IN", "ttl": 0, "ip": "", "ns": "",
                     "cname": "", "ptr": "", "txts": "", "soa": "", "srv": "", "mx": "",
                     "opt": "", "uri": "", "rdata": d}
                if t in ("A", "AAAA"):
                    a["ip"] = d
                elif t in DATA_FIELD:
                    a[DATA_FIELD[t]] = d
                answers.append(a)
            item["response"] = {"code": rec["rcode"], "answers": answers,
                                "authorities": [], "additionals": []}
    return item


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--make-items":
        with open(sys.argv[2], encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    rec = {k: v for k, v in json.loads(line).items() if not k.startswith("_")}
                    print(json.dumps(make_item(rec), separators=(",", ":")))
        return
    f = open(sys.argv[1], encoding="utf-8", errors="replace") if len(sys.argv) > 1 else sys.stdin
    out, bad = lines_from(f)
    for line in out:
        print(line)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
