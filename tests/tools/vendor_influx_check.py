#!/usr/bin/env python3
"""The oracle of the vendor.influxdb test: the points it writes, the line
protocol vendors.md §4 makes of them, and what a real InfluxDB must give
back.

  vendor_influx_check.py points FILE
      writes the test points (measurements, tags and fields full of
      spaces, commas, equals signs, quotes, backslashes, unicode)
  vendor_influx_check.py lines FILE REQUESTS.jsonl
      each write the stand-in received is exactly the line of its point
      (the timestamp aside): escaping, flattening, sorting, numbers
  vendor_influx_check.py readback FILE INFLUXD_URL
      influxd answers SELECT * with the same measurement, tags and field
      values

Rules modelled (the documented ones): LF, CR and TAB become spaces;
outside string field values a backslash that ends a name or value or
stands before , = space or " becomes a space; NaN, Infinity, null, arrays
and functions are skipped; objects are flattened with dots; tags and
fields are sorted by key; empty tag values are skipped.
"""
import base64
import json
import sys
import urllib.parse
import urllib.request

POINTS = [
    {"bucket": "lp", "measurement": 'HTTP stats, "quoted" = eq\\back',
     "tags": {"host name": "web 1,a=b", "path": "C:\\temp\\logs", "uni": "Grüße ☃ 東京",
              "quote": 'say "hi"', "num": 42, "flag": True, "empty": "", "nul": None,
              "obj": {"x": 1}},
     "data": {"avg latency": 12.5, "count": 3, "ok": False, "msg": 'a "b" \\c\\ d\\',
              "multi": "line1\nline2\tx\ry", "svc": {"name": "orders, inc", "ver": {"major": 2}},
              "arr": [1, 2], "nothing": None, "uni field ☃": "ünï =,\"x\""}},
    {"bucket": "lp", "measurement": "edge\\",
     "tags": {"k\\": "v\\", "a\\,b": "x\\=y", "ok\\k": "a\\b", "t\\\"q": "\\\\"},
     "data": {"f\\": 1, "g\\\"h": 2, "i\\j": "trail\\", "sp ace": "  lead and trail  "}},
    {"bucket": "lp", "measurement": "numbers",
     "tags": {},
     "data": {"i": 51, "r": 0.1, "big": 1e21, "small": 1.5e-7, "neg": -2.5, "zero": 0,
              "max": 1.7976931348623157e308, "third": 1 / 3, "minus0": -0.0}},
    {"bucket": "lp", "measurement": "München,Zürich 東京",
     "tags": {"ключ": "значение с пробелом"},
     "data": {"emoji 😀": "😀 \"q\" \\", "n": {"deep": {"er": {"est": True}}}}},
]


def norm(s):
    s = s.replace("\n", " ").replace("\r", " ").replace("\t", " ")
    t = list(s)
    for i in range(len(t) - 1, -1, -1):
        if t[i] == "\\" and (i + 1 == len(t) or t[i + 1] in ',= "'):
            t[i] = " "
    return "".join(t)


def esc(s, specials):
    return "".join("\\" + c if c in specials else c for c in norm(s))


def js_string(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else str(int(v))
    return v


def plain(v):
    """A number as the helper writes it: shortest round-trip, no exponent."""
    if v == 0:
        return "0"
    if isinstance(v, int):
        return str(v)
    r = repr(v)
    if "e" not in r:
        return r[:-2] if r.endswith(".0") else r
    mant, exp = r.split("e")
    neg = mant.startswith("-")
    mant = mant.lstrip("-")
    digits = mant.replace(".", "")
    point = (mant.index(".") if "." in mant else len(mant)) + int(exp)
    digits = digits.rstrip("0") or "0"
    if point >= len(digits):
        out = digits + "0" * (point - len(digits))
    elif point > 0:
        out = digits[:point] + "." + digits[point:]
    else:
        out = "0." + "0" * (-point) + digits
    return ("-" if neg else "") + out


def fields_of(data, prefix=""):
    out = {}
    for k, v in data.items():
        key = prefix + "." + k if prefix else k
        if isinstance(v, dict):
            out.update(fields_of(v, key))
        elif isinstance(v, (bool, int, float, str)):
            out[key] = v
    return out


def tags_of(tags):
    return {k: js_string(v) for k, v in tags.items()
            if isinstance(v, (bool, int, float)) or (isinstance(v, str) and v)}


def field_text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return plain(v)
    s = v.replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def line(p):
    tags = tags_of(p["tags"])
    fields = fields_of(p["data"])
    out = esc(p["measurement"], ", ")
    for k in sorted(tags, key=lambda s: s.encode()):
        out += "," + esc(k, ",= ") + "=" + esc(tags[k], ",= ")
    out += " " + ",".join(esc(k, ",= ") + "=" + field_text(fields[k])
                          for k in sorted(fields, key=lambda s: s.encode()))
    return out


def check_lines(points, reqs):
    writes = [r for r in reqs if r["path"] == "/api/v2/write"]
    bodies = [base64.b64decode(r["body_b64"]).decode("utf-8") for r in writes]
    wanted = [line(p) for p in points]
    got = [b.rstrip("\n").rsplit(" ", 1)[0] for b in bodies[:len(wanted)]]
    bad = [(w, g) for w, g in zip(wanted, got) if w != g]
    for w, g in bad:
        print("expected: %s\nreceived: %s" % (w, g))
    if len(got) != len(wanted):
        print("received %d writes, expected %d" % (len(got), len(wanted)))
    return not bad and len(got) == len(wanted)


def query(base, db, q):
    u = base + "/query?" + urllib.parse.urlencode({"db": db, "q": q, "epoch": "ns"})
    return json.load(urllib.request.urlopen(u))


def readback(points, base):
    ok = True
    series = query(base, "lp", "SELECT * FROM /.*/")["results"][0].get("series", [])
    by_name = {s["name"]: s for s in series}
    for p in points:
        name = norm(p["measurement"])
        s = by_name.get(name)
        if s is None:
            print("measurement %r not found in %r" % (name, sorted(by_name)))
            ok = False
            continue
        row = dict(zip(s["columns"], s["values"][0]))
        row.pop("time")
        want = {norm(k): norm(v) for k, v in tags_of(p["tags"]).items()}
        for k, v in fields_of(p["data"]).items():
            if isinstance(v, str):
                v = v.replace("\n", " ").replace("\r", " ").replace("\t", " ")
            elif not isinstance(v, bool):
                v = float(v)
            want[norm(k)] = v
        got = {k: v for k, v in row.items() if v is not None}
        if got != want:
            print("%r:\n  want %r\n  got  %r" % (name, want, got))
            ok = False
    return ok


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "points":
        with open(path, "w", encoding="utf-8") as f:
            json.dump(POINTS, f, ensure_ascii=False)
        return 0
    points = json.load(open(path, encoding="utf-8"))
    if cmd == "lines":
        reqs = [json.loads(l) for l in open(sys.argv[3], encoding="utf-8")]
        return 0 if check_lines(points, reqs) else 1
    if cmd == "readback":
        return 0 if readback(points, sys.argv[3].rstrip("/")) else 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
