#!/usr/bin/env python3
"""Writes seed queries for tests/fuzz/fuzz_kfl.c into the directory argv[1]:
the conformance queries of kfl.md §10 and a few edge cases."""
import os
import sys

SEEDS = [
    'true and false', 'false or true', '"abc" != "xyz"', '-300 < 42',
    'true and !(5 == a)', '(a.b == "hello") and (x.y > 3.14)',
    'brand.name == r"Chev.*"', 'brand.name.startsWith("Chev")',
    'brand["name"].startsWith("Chev")', 'brand.name.startsWith()',
    'brand.name == "Chevrolet" and limit(100)', 'request.path[1] == "v1"',
    'request.headers["e"].x == "y"', 'request.path.* > response.header.*',
    'request.path.*.x and true', 'model == nil',
    'model == "\\"hello world\\";v=\\"42\\", "',
    'timestamp > datetime("10/19/2021, 6:29:02.000 PM")', 'datetime()',
    'response.body.json().brand.name == "Chevrolet"',
    'response.body.json()..name == "Chevrolet"',
    'response.body.json()["model"] == "Camaro"',
    'response.xml.xml().a.b[1] == "2"',
    'redact("..model", "..name") and id == 114906',
    'redact("response.body.json().model") and true',
    'timestamp >= seconds(-5) or years(5) > now',
    'http or !amqp and request.headers["http"] == "x-amqp-y"',
    'request.httpVersion == "HTTP/1.1"', 'x == 0x1f and y == 0o17 or .5e3',
    "x == 'a\\u00e9\\x41\\101' and `raw\nstring`", '/* c */ a // d\n == 1',
    'a[3.14]', '((((a))))', '!!!!--x', 'a = = 1', 'x == r"(a+)+$"',
]


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for i, s in enumerate(SEEDS):
        with open(os.path.join(out, "seed%03d" % i), "w") as f:
            f.write(s)


if __name__ == "__main__":
    main()
