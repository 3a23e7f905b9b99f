#!/usr/bin/env python3
"""Writes N items (item-model.md shape) as JSON lines, deterministically.

usage: gen_items.py N [SEED] > items.jsonl
Statuses cycle through a seeded mix of 200/201/204/404/500, with DNS items
in between, so tests can compute the expected answers from the file.
"""
import base64
import json
import random
import sys

HTTP_PROTOCOL = {
    "name": "http", "version": "1.1", "abbr": "HTTP",
    "longName": "Hypertext Transfer Protocol -- HTTP/1.1", "macro": "http",
    "backgroundColor": "#326de6", "foregroundColor": "#ffffff", "fontSize": 12,
    "referenceLink": "https://datatracker.ietf.org/doc/html/rfc2616",
    "ports": ["80", "443", "8080"], "layer4": "tcp", "priority": 0,
}
DNS_PROTOCOL = {
    "name": "dns", "version": "0", "abbr": "DNS", "longName": "Domain Name System",
    "macro": "dns", "backgroundColor": "#606060", "foregroundColor": "#ffffff",
    "fontSize": 12,
    "referenceLink": "https://www.iana.org/assignments/dns-parameters/dns-parameters.xhtml",
    "ports": [], "layer4": "udp", "priority": 4,
}
NODE = {"name": "node-a", "ip": "10.0.0.5"}
WORKER = "10.0.0.5:8897"


def base(stream, index, ts_ms, proto, src, dst):
    return {
        "id": "%s/%s-%d" % (WORKER, stream, index), "index": index,
        "stream": stream, "worker": WORKER, "node": NODE, "protocol": proto,
        "tls": False,
        "src": {"ip": src, "port": str(40000 + index), "name": "", "namespace": ""},
        "dst": {"ip": dst, "port": "8080", "name": "orders", "namespace": "shop"},
        "namespace": "shop", "outgoing": False, "timestamp": ts_ms,
        "startTime": "2023-11-14T22:13:%02d.%03dZ" % (ts_ms // 1000 % 60, ts_ms % 1000),
    }


def http_item(n, rng):
    status = rng.choice([200, 200, 200, 201, 204, 404, 500])
    stream = "%012d.pcap" % (n + 1)
    item = base(stream, 0, 1700000000000 + n * 7, HTTP_PROTOCOL, "10.0.0.7", "10.0.0.9")
    body = json.dumps({"n": n, "ok": status < 400}).encode()
    path = "/api/v1/orders/%d" % n
    item["request"] = {
        "method": rng.choice(["GET", "POST"]), "url": path + "?x=%d" % n,
        "targetUri": path + "?x=%d" % n, "path": path,
        "pathSegments": path.split("/")[1:], "httpVersion": "HTTP/1.1",
        "headers": {"Host": "orders.shop:8080", "User-Agent": "curl/8.5.0"},
        "cookies": {}, "queryString": {"x": str(n)}, "headersSize": 80, "bodySize": 0,
    }
    item["response"] = {
        "status": status, "statusText": "", "httpVersion": "HTTP/1.1",
        "headers": {"Content-Type": "application/json"}, "cookies": {},
        "content": {"size": len(body), "mimeType": "application/json",
                    "encoding": "base64", "text": base64.b64encode(body).decode()},
        "redirectURL": "", "headersSize": 60, "bodySize": len(body),
    }
    item.update({"requestSize": 80, "responseSize": 60 + len(body),
                 "elapsedTime": rng.randint(0, 50), "passed": False, "failed": False})
    return item


def dns_item(n, rng):
    stream = "%012d_udp.pcap" % (n + 1)
    item = base(stream, 0, 1700000000000 + n * 7, DNS_PROTOCOL, "10.0.0.7", "10.0.0.2")
    name = "svc%d.shop.svc.cluster.local" % n
    item["request"] = {"opCode": "Query", "questions": [{"name": name, "type": "A", "class": "IN"}]}
    item["response"] = {"code": "No Error", "answers": [
        {"name": name, "type": "A", "class": "IN", "ttl": 30, "ip": "10.1.0.%d" % (n % 250),
         "ns": "", "cname": "", "ptr": "", "txts": "", "soa": "", "srv": "", "mx": "",
         "opt": "", "uri": "", "rdata": "10.1.0.%d" % (n % 250)}],
        "authorities": [], "additionals": []}
    item.update({"requestSize": 44, "responseSize": 60, "elapsedTime": 1,
                 "passed": False, "failed": False})
    return item


def main():
    count = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    out = sys.stdout
    for n in range(count):
        item = dns_item(n, rng) if n % 5 == 4 else http_item(n, rng)
        out.write(json.dumps(item, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
