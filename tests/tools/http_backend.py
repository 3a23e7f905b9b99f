#!/usr/bin/env python3
"""A small HTTP/1.1 server for the capture tests (127.0.0.1 only).

Usage: http_backend.py PORT

Routes (any method unless noted):
  /chunked[?n=K]      200, Transfer-Encoding: chunked, K chunks (default 5)
  /chunked-gzip       200, gzip body sent in chunks (Content-Encoding: gzip)
  /gzip               200, gzip body with Content-Length
  /deflate            200, zlib ("deflate") body with Content-Length
  /echo               echoes the request body (POST/PUT); 100-continue is
                      answered by http.server before the body is read
  /status/NNN         that status; 204/304 (and HEAD) without a body
  /close              200 without Content-Length, body ends at close
  /text?size=N        N bytes of text with Content-Length
Anything else is 404 with a small body.  HEAD is served for every route
(headers as for GET, no body).
"""
import gzip
import http.server
import socketserver
import sys
import zlib
from urllib.parse import urlsplit, parse_qs


def text(n):
    line = b"wirehook capture test line 0123456789 abcdefghijklmnopqrstuvwxyz\n"
    return (line * (n // len(line) + 1))[:n]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wh-backend/1"
    sys_version = ""

    def log_message(self, fmt, *args):  # quiet
        pass

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, status, body=b"", headers=(), length=True):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        no_body = self.command == "HEAD" or status in (204, 304) or status < 200
        if length and status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not no_body and body:
            self.wfile.write(body)

    def _chunked(self, pieces, headers=()):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command == "HEAD":
            return
        for p in pieces:
            if p:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(p), p))
                self.wfile.flush()
        self.wfile.write(b"0\r\nX-Trailer: done\r\n\r\n")

    def _route(self):
        url = urlsplit(self.path)
        q = parse_qs(url.query)
        body = self._body()
        p = url.path
        if p == "/chunked":
            n = int(q.get("n", ["5"])[0])
            self._chunked([text(100 + 37 * i) for i in range(n)])
        elif p == "/chunked-gzip":
            z = gzip.compress(text(20000))
            self._chunked([z[i:i + 1000] for i in range(0, len(z), 1000)],
                          [("Content-Encoding", "gzip")])
        elif p == "/gzip":
            self._send(200, gzip.compress(text(30000)),
                       [("Content-Type", "text/plain"), ("Content-Encoding", "gzip")])
        elif p == "/deflate":
            self._send(200, zlib.compress(text(12000)),
                       [("Content-Type", "text/plain"), ("Content-Encoding", "deflate")])
        elif p == "/echo":
            self._send(200, body, [("Content-Type", "application/octet-stream")])
        elif p.startswith("/status/"):
            code = int(p.split("/")[2])
            self._send(code, b"" if code in (204, 304) else b"status %d\n" % code,
                       [("Content-Type", "text/plain")])
        elif p == "/close":
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(text(5000))
        elif p == "/text":
            self._send(200, text(int(q.get("size", ["1000"])[0])),
                       [("Content-Type", "text/plain")])
        else:
            self._send(404, b"not found\n", [("Content-Type", "text/plain")])

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _route


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    port = int(sys.argv[1])
    srv = Server(("127.0.0.1", port), Handler)
    srv.serve_forever()


if __name__ == "__main__":
    main()
