#!/usr/bin/env python3
"""Writes seed inputs for tests/fuzz/fuzz_http1.c into the directory argv[1].

Each seed is one realistic HTTP/1.x connection in the fuzzer's record
format: 3 bytes of limits, then records [ctrl][len][bytes] where ctrl
bit 0 is the direction (0 client, 1 server here)."""
import gzip
import os
import sys
import zlib


def chunked(body, size=16):
    out = b""
    for i in range(0, len(body), size):
        part = body[i:i + size]
        out += b"%x\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\nX-Trailer: 1\r\n\r\n"


def records(conv, limits=b"\x0c\x0a\x07"):
    """conv: list of (dir, bytes); long pieces become several records."""
    out = bytearray(limits)
    for direction, data in conv:
        for i in range(0, max(len(data), 1), 200):
            piece = data[i:i + 200]
            out += bytes([direction, len(piece)]) + piece
    return bytes(out)


def seeds():
    js = b'{"id":77,"ok":true}'
    gz = gzip.compress(js, mtime=0)
    post = (b"POST /api/v1/orders?expand=items&tag=a&tag=b HTTP/1.1\r\n"
            b"Host: orders.shop:8080\r\nUser-Agent: curl/8.5.0\r\n"
            b"Accept: application/json\r\nAccept: text/plain\r\n"
            b"Content-Type: application/json\r\nContent-Length: 26\r\n"
            b"Cookie: sid=abc; theme=dark\r\n\r\n"
            b'{"sku":"A-1","quantity":2}')
    created = (b"HTTP/1.1 201 Created\r\n"
               b"Content-Type: application/json; charset=utf-8\r\n"
               b"Location: /api/v1/orders/77\r\nContent-Encoding: gzip\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n" + chunked(gz, 64))
    yield "sample", records([(0, post), (1, created)])

    get = b"GET /a/b?x=1&x=2 HTTP/1.1\r\nHost: h\r\nAccept-Encoding: gzip\r\n\r\n"
    html = b"<html>" + b"hello world " * 40 + b"</html>"
    ok_gzip = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
               b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
               % len(gzip.compress(html)) + gzip.compress(html))
    yield "gzip", records([(0, get), (1, ok_gzip)])

    deflated = zlib.compress(html)
    raw = zlib.compressobj(wbits=-15)
    rawd = raw.compress(html) + raw.flush()
    yield "deflate", records([
        (0, get + get),
        (1, b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n"
            b"Content-Length: %d\r\n\r\n" % len(deflated) + deflated),
        (1, b"HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + chunked(rawd, 7))])

    pipelined = b"".join(b"GET /p%d HTTP/1.1\r\nHost: h\r\n\r\n" % i
                         for i in range(4))
    yield "pipelined", records([
        (0, pipelined + b"HEAD /h HTTP/1.1\r\n\r\n"),
        (1, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
            b"HTTP/1.1 204 No Content\r\n\r\n"
            b"HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n"
            b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
            + chunked(b"not here") +
            b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")])

    yield "continue", records([
        (0, b"PUT /up HTTP/1.1\r\nExpect: 100-continue\r\n"
            b"Content-Length: 11\r\n\r\n"),
        (1, b"HTTP/1.1 100 Continue\r\n\r\n"),
        (0, b"hello world"),
        (1, b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1; Path=/\r\n"
            b"Set-Cookie: b=\"2\"\r\nContent-Length: 0\r\n\r\n")])

    boundary = b"XyZ"
    mp = (b"--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n"
          b"--XyZ\r\nContent-Disposition: form-data; name=\"u\"; "
          b"filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nabc\r\n"
          b"--XyZ--\r\n")
    yield "forms", records([
        (0, b"POST /f HTTP/1.1\r\nContent-Type: multipart/form-data; "
            b"boundary=" + boundary + b"\r\nContent-Length: %d\r\n\r\n"
            % len(mp) + mp),
        (0, b"POST /u HTTP/1.1\r\nContent-Type: "
            b"application/x-www-form-urlencoded\r\nContent-Length: 13\r\n"
            b"\r\na=1+2&b=%41&c"),
        (1, b"HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0"
            b"\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")])

    yield "http10_close", records([
        (0, b"GET / HTTP/1.0\r\nUser-Agent: x\r\n\r\n"),
        (1, b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
            + b"body until close " * 20)])

    yield "upgrade", records([
        (0, b"GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\n\r\n"),
        (1, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
            b"\x81\x05hello")])

    yield "connect", records([
        (0, b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"),
        (1, b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01")])

    # a gap (ctrl 6) in the middle of a response, then the next one
    body = records([
        (0, b"GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"),
        (1, b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123")])
    yield "gap", body + bytes([7, 40]) + (
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".ljust(40, b" "))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_fuzz_seeds_http1.py DIR")
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, data in seeds():
        with open(os.path.join(sys.argv[1], name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
