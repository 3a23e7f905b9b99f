#!/usr/bin/python3
"""Makes N HTTP requests to 127.0.0.1:PORT (http_backend.py) for the
control-plane tests: GET /status/500/K<tag> for every K divisible by
--every-500, /status/200/K<tag> otherwise (the path, so that items show K), keep-alive connections of
--per-conn requests, --delay seconds between requests.  Prints the number
of 500s made."""
import argparse
import http.client
import time

ap = argparse.ArgumentParser()
ap.add_argument("port", type=int)
ap.add_argument("n", type=int)
ap.add_argument("--every-500", type=int, default=0)
ap.add_argument("--per-conn", type=int, default=5)
ap.add_argument("--delay", type=float, default=0.0)
ap.add_argument("--tag", default="")
a = ap.parse_args()

errors = 0
conn = None
for k in range(a.n):
    if conn is None or k % a.per_conn == 0:
        if conn:
            conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=10)
    code = 500 if a.every_500 and k % a.every_500 == 0 else 200
    conn.request("GET", "/status/%d/%d%s" % (code, k, a.tag))
    r = conn.getresponse()
    r.read()
    if r.status != code:
        raise SystemExit("request %d: status %d, expected %d" % (k, r.status, code))
    if a.delay:
        time.sleep(a.delay)
conn.close()
print(sum(1 for k in range(a.n) if a.every_500 and k % a.every_500 == 0))
