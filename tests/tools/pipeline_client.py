#!/usr/bin/env python3
"""Pipelining HTTP/1.1 client for the capture tests.

Usage: pipeline_client.py HOST PORT METHOD:PATH...

Sends every request in ONE write on ONE connection (the last one with
"Connection: close"), then reads and parses all responses (Content-Length,
chunked, HEAD/1xx/204/304 without body, close-delimited).  Prints one line
per response ("STATUS BODYLEN") and exits 1 if fewer responses than
requests came back.  A METHOD of POST sends a small body.
"""
import socket
import sys


def build(reqs, host):
    out = b""
    for i, (method, path) in enumerate(reqs):
        last = i == len(reqs) - 1
        body = b"pipelined body %d\n" % i if method in ("POST", "PUT") else b""
        out += b"%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: wh-pipeline/1\r\n" % (
            method.encode(), path.encode(), host.encode())
        if body:
            out += b"Content-Type: text/plain\r\nContent-Length: %d\r\n" % len(body)
        if last:
            out += b"Connection: close\r\n"
        out += b"\r\n" + body
    return out


class Reader:
    def __init__(self, sock):
        self.sock, self.buf, self.eof = sock, b"", False

    def fill(self):
        if self.eof:
            return False
        d = self.sock.recv(65536)
        if not d:
            self.eof = True
            return False
        self.buf += d
        return True

    def line(self):
        while b"\r\n" not in self.buf:
            if not self.fill():
                raise EOFError
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def take(self, n):
        while len(self.buf) < n:
            if not self.fill():
                raise EOFError
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def rest(self):
        while self.fill():
            pass
        d, self.buf = self.buf, b""
        return d


def read_response(r, method):
    while True:
        status = int(r.line().split()[1])
        headers = {}
        while True:
            h = r.line()
            if not h:
                break
            k, _, v = h.partition(b":")
            headers[k.strip().lower()] = v.strip()
        if 100 <= status < 200 and status != 101:
            continue
        break
    if method == "HEAD" or status in (204, 304):
        return status, 0
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        n = 0
        while True:
            size = int(r.line().split(b";")[0], 16)
            if size == 0:
                while r.line():
                    pass
                return status, n
            n += len(r.take(size))
            r.take(2)
    if b"content-length" in headers:
        return status, len(r.take(int(headers[b"content-length"])))
    return status, len(r.rest())


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    reqs = [tuple(a.split(":", 1)) for a in sys.argv[3:]]
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(build(reqs, "%s:%d" % (host, port)))
    r = Reader(s)
    got = 0
    for method, _ in reqs:
        try:
            status, n = read_response(r, method)
        except EOFError:
            break
        print(status, n)
        got += 1
    r.rest()
    s.close()
    if got != len(reqs):
        print("pipeline_client: %d of %d responses" % (got, len(reqs)), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
