#!/usr/bin/env python3
"""Compares two files of canonical transactions as multisets.

Usage: compare_items.py EXPECTED ACTUAL [--may-lose FILE] [--ignore-key K]...
       compare_items.py --selftest EXPECTED

EXPECTED is normally tshark_items.py output, ACTUAL wirehook_items.py
output (one JSON object per line; keys starting with "_" are ignored).
Every expected transaction must appear in ACTUAL exactly as often as in
EXPECTED, and ACTUAL must hold nothing else.

--may-lose FILE: transactions (same form) that a damaged capture was cut
  in.  Each may be missing from ACTUAL, and ACTUAL may instead hold items
  for the same request that differ (e.g. unanswered, or a shorter body):
  an extra item is excused when it has the same proto, client, server and
  method+uri (HTTP) or questions (DNS) as a line of FILE, at most as many
  extra items as FILE has such lines.
--ignore-key K: drop key K from both sides before comparing.

--selftest checks this comparison (and wirehook_items.py) on EXPECTED
  itself: items made from it (wirehook_items.py --make-items) must compare
  equal, and every kind of damage to them (a field changed, an item lost,
  duplicated or added, answers cut, UDP/TCP swapped) must be reported.

Exit status 0 when equal, 1 with a readable report when not, 2 on usage
or input errors.
"""
import argparse
import collections
import json
import sys


def load(path, ignore):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                sys.stderr.write("compare_items: %s:%d: not JSON: %s\n" % (path, n, e))
                sys.exit(2)
            rec = {k: v for k, v in rec.items() if not k.startswith("_") and k not in ignore}
            out.append(json.dumps(rec, sort_keys=True, separators=(",", ":")))
    return out


def identity(line):
    r = json.loads(line)
    base = (r.get("proto"), r.get("client"), r.get("server"))
    if r.get("proto") == "http":
        return base + (r.get("method"), r.get("uri"))
    return base + (json.dumps(r.get("questions")),)


def describe(line):
    r = json.loads(line)
    if r.get("proto") == "http":
        return "HTTP %s -> %s  %s %s %s -> %s (req body %s, resp body %s, content %s)" % (
            r.get("client"), r.get("server"), r.get("method"), r.get("uri"),
            r.get("version"), r.get("status"), r.get("reqBody"), r.get("respBody"),
            r.get("respContent"))
    if r.get("proto") == "dns":
        return "DNS/%s %s -> %s  %s -> %s %s" % (
            r.get("l4"), r.get("client"), r.get("server"),
            " ".join("%s/%s" % tuple(q) for q in r.get("questions") or []),
            r.get("rcode"),
            "; ".join(" ".join(a) for a in r.get("answers") or []) if r.get("answers") is not None else "")
    return line


def field_diff(a, b):
    ra, rb = json.loads(a), json.loads(b)
    return ", ".join("%s: %s != %s" % (k, json.dumps(ra.get(k)), json.dumps(rb.get(k)))
                     for k in sorted(set(ra) | set(rb)) if ra.get(k) != rb.get(k))


def compare(expected, actual, may_lose=()):
    """Returns (missing, extra, excused, lost) lists of lines."""
    exp, act = collections.Counter(expected), collections.Counter(actual)
    lose = collections.Counter(may_lose)
    lost = []
    for line in list(lose):
        n = min(lose[line], exp[line])
        exp[line] -= n
        take = min(n, act[line])       # it may also have survived intact
        act[line] -= take
        lost += [line] * (n - take)
    missing = list((exp - act).elements())
    extra = list((act - exp).elements())
    budget = collections.Counter(identity(l) for l in may_lose)
    excused, still = [], []
    for line in extra:
        k = identity(line)
        if budget[k] > 0:
            budget[k] -= 1
            excused.append(line)
        else:
            still.append(line)
    return sorted(missing), sorted(still), sorted(excused), sorted(lost)


def selftest(path):
    import copy
    import os
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import wirehook_items as wi
    expected = load(path, set())
    if not expected:
        print("compare_items: --selftest: %s is empty" % path)
        return 1
    items = [wi.make_item(json.loads(l)) for l in expected]

    def canon(its):
        return [json.dumps(wi.canonical(json.loads(json.dumps(i))), sort_keys=True,
                           separators=(",", ":")) for i in its]

    def differs(its):
        m, e, _, _ = compare(expected, canon(its))
        return bool(m or e)

    if differs(items) or differs(list(reversed(items))):
        print("compare_items: --selftest: items made from the expected lines do not compare equal")
        return 1
    bad = []
    http = [i for i, it in enumerate(items) if it["protocol"]["name"] == "http"]
    dns = [i for i, it in enumerate(items) if it["protocol"]["name"] == "dns"]
    answered = [i for i in http if items[i]["response"]]
    damages = [("an item lost", lambda its: its[1:]),
               ("an item twice", lambda its: its + its[:1]),
               ("an extra item", lambda its: its + [dict(its[0], src=dict(its[0]["src"], port="1"))])]
    for i in answered[:1]:
        for path_, delta in ((("response", "status"), 1), (("response", "bodySize"), 1),
                             (("response", "content", "size"), 1), (("request", "bodySize"), 1),
                             (("request", "url"), "x"), (("request", "method"), "X")):
            def f(its, i=i, path_=path_, delta=delta):
                its = copy.deepcopy(its)
                o = its[i]
                for k in path_[:-1]:
                    o = o[k]
                o[path_[-1]] = o[path_[-1]] + delta
                return its
            damages.append(("http %s changed" % ".".join(path_), f))

        def unanswered(its, i=i):
            its = copy.deepcopy(its)
            its[i]["response"] = {}
            return its
        damages.append(("http response dropped", unanswered))
    for i in [i for i in dns if items[i]["response"].get("answers")][:1]:
        def cut(its, i=i):
            its = copy.deepcopy(its)
            its[i]["response"]["answers"].pop()
            return its

        def flip(its, i=i):
            its = copy.deepcopy(its)
            p = its[i]["protocol"]
            p["layer4"] = "tcp" if p["layer4"] == "udp" else "udp"
            return its

        def data(its, i=i):
            its = copy.deepcopy(its)
            a = its[i]["response"]["answers"][0]
            for k in ("ip", "cname", "mx", "srv", "txts", "ptr", "ns", "soa"):
                if a.get(k):
                    a[k] = "x" + a[k] if k != "ip" else "192.0.2.1"
            return its
        damages += [("dns answer lost", cut), ("dns layer4 swapped", flip),
                    ("dns answer data changed", data)]
    for name, f in damages:
        if not differs(f(items)):
            bad.append(name)
    if bad:
        print("compare_items: --selftest: not detected: " + ", ".join(bad))
        return 1
    print("compare_items: --selftest: %d lines, %d kinds of damage detected"
          % (len(expected), len(damages)))
    return 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--selftest":
        return selftest(sys.argv[2])
    ap = argparse.ArgumentParser()
    ap.add_argument("expected")
    ap.add_argument("actual")
    ap.add_argument("--may-lose")
    ap.add_argument("--ignore-key", action="append", default=[])
    a = ap.parse_args()
    ignore = set(a.ignore_key)
    expected, actual = load(a.expected, ignore), load(a.actual, ignore)
    may_lose = load(a.may_lose, ignore) if a.may_lose else []
    missing, extra, excused, lost = compare(expected, actual, may_lose)
    for line in lost:
        print("lost (allowed):    " + describe(line))
    for line in excused:
        print("changed (allowed): " + describe(line))
    if not missing and not extra:
        print("compare_items: %d expected, %d actual: equal" % (len(expected), len(actual)))
        return 0
    print("compare_items: %d expected, %d actual: %d missing, %d unexpected"
          % (len(expected), len(actual), len(missing), len(extra)))
    # pair each missing line with the unexpected line for the same request
    by_id = collections.defaultdict(list)
    for line in extra:
        by_id[identity(line)].append(line)
    for line in missing:
        cands = by_id.get(identity(line))
        if cands:
            other = cands.pop(0)
            print("- " + describe(line))
            print("+ " + describe(other))
            print("    differs in " + field_diff(line, other))
        else:
            print("- " + describe(line) + "   (missing)")
    for lines in by_id.values():
        for line in lines:
            print("+ " + describe(line) + "   (unexpected)")
    return 1


if __name__ == "__main__":
    sys.exit(main())
