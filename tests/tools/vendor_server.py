#!/usr/bin/env python3
"""Strict local stand-ins for the services the vendor helpers talk to.

usage: vendor_server.py SERVICE --dir DIR [--tls CERT KEY] [options]

SERVICE is one of webhook, slack, influx, elastic, faults, stall.  The
server
listens on 127.0.0.1 (a free port, written to DIR/port), appends every
request it receives to DIR/requests.jsonl and every broken rule to
DIR/violations.jsonl, and answers like the real service, including its
error answers.  Anything it does not expect is a violation, answered with
HTTP 400 "test server: <what>", never accepted; a test fails when
DIR/violations.jsonl is not empty.  With --tls the server speaks HTTPS;
handshakes that fail are recorded in DIR/tls.jsonl (a refused pin must
leave no request behind).

"stall" accepts nothing: its listen queue is full, so that connecting
to it waits (for connect timeouts).

Only the Python 3 standard library; runs until killed.
"""
import argparse
import base64
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
ARGS = None
STATE = {"counters": {}, "files": {}, "docs": {}, "seq": 0, "uploads": {}}
UA = re.compile(r"^wirehook/[0-9][0-9A-Za-z.+~-]*$")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def append(name, obj):
    with LOCK:
        with open(os.path.join(ARGS.dir, name), "a", encoding="utf-8") as f:
            f.write(json.dumps(obj, ensure_ascii=False) + "\n")


class Violation(Exception):
    pass


def need(cond, what):
    if not cond:
        raise Violation(what)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "stand-in"
    sys_version = ""

    # Every method, including the webhook tests' own ones.
    def __getattr__(self, name):
        if name.startswith("do_"):
            return self.handle_request
        raise AttributeError(name)

    def log_message(self, *args):
        pass

    # ---- plumbing ----
    def read_body(self):
        need("Transfer-Encoding" not in self.headers, "chunked request body")
        n = self.headers.get("Content-Length")
        return self.rfile.read(int(n)) if n else b""

    def send(self, status, body=b"", ctype="text/plain; charset=utf-8", headers=()):
        if isinstance(body, (dict, list)):
            body, ctype = json.dumps(body).encode(), "application/json; charset=utf-8"
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        if body or status not in (204, 304):
            self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)) if status != 204 else "0")
        self.end_headers()
        if status != 204 and self.command != "HEAD":
            self.wfile.write(body)

    def handle_request(self):
        try:
            body = self.read_body()
        except Violation as v:
            self.violate(str(v), b"")
            return
        url = urllib.parse.urlsplit(self.path)
        self.req = {
            "method": self.command,
            "target": self.path,
            "path": url.path,
            "query": urllib.parse.parse_qsl(url.query, keep_blank_values=True),
            "headers": [[k, v] for k, v in self.headers.items()],
            "body_b64": base64.b64encode(body).decode(),
            "time": time.time(),
        }
        append("requests.jsonl", self.req)
        try:
            need("Expect" not in self.headers, "an Expect header was sent")
            SERVICES[ARGS.service](self, url, body)
        except Violation as v:
            self.violate(str(v), body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def violate(self, what, body):
        append("violations.jsonl", {"violation": what, "method": self.command,
                                    "target": self.path[:200]})
        try:
            self.send(400, "test server: " + what)
        except OSError:
            pass

    def header(self, name):
        vals = self.headers.get_all(name) or []
        need(len(vals) <= 1, "header %s sent %d times" % (name, len(vals)))
        return vals[0] if vals else None

    def exact(self, name, want):
        got = self.header(name)
        need(got == want, "%s: expected %r, got %r" % (name, want, got))

    def check_ua(self):
        got = self.header("User-Agent")
        need(got is not None and UA.match(got), "User-Agent %r" % got)

    def only_headers(self, allowed):
        extra = [k for k in self.headers.keys() if k.lower() not in allowed]
        need(not extra, "unexpected headers %s" % extra)


# ---------------------------------------------------------------- webhook
# /echo[...]                answers 200 with the request as JSON
# /status/<code>            that status with a body naming it
# /utf8                     a body with invalid UTF-8
# /empty                    200, no body
# /big/<n>                  n bytes
# /redirect/<code>?to=<url> that redirect
# /chain/<n>                n redirects, then the echo
# http://... (absolute)     a request through a proxy: answered as "proxied"
# CONNECT host:port         a tunnel through a proxy: refused with 403
def webhook(h, url, body):
    if h.command == "CONNECT":
        h.send(403, "tunnels are refused here")
        return
    parts = url.path.strip("/").split("/")
    echo = {"method": h.command, "target": h.path,
            "headers": [[k, v] for k, v in h.headers.items()],
            "body": body.decode("utf-8", "replace")}
    if h.path.startswith("http://"):
        h.send(200, {"proxied": True, "target": h.path,
                     "host": h.headers.get("Host")})
        return
    if parts[0] != "echo" or len(parts) == 1:
        h.check_ua()
    if parts[0] == "echo":
        h.send(200, echo)
    elif parts[0] == "status":
        code = int(parts[1])
        h.send(code, "status %d body" % code)
    elif parts[0] == "utf8":
        h.send(200, b"ok \xff\xfe end \xe2\x82 x", "application/octet-stream")
    elif parts[0] == "empty":
        h.send(200, b"")
    elif parts[0] == "big":
        h.send(200, b"x" * int(parts[1]))
    elif parts[0] == "redirect":
        to = dict(urllib.parse.parse_qsl(url.query))["to"]
        h.send(int(parts[1]), "", headers=[("Location", to)])
    elif parts[0] == "chain":
        n = int(parts[1])
        nxt = "/chain/%d" % (n - 1) if n > 1 else "/echo/end"
        h.send(302, "", headers=[("Location", nxt)])
    else:
        raise Violation("unknown webhook path %s" % url.path)


# ---------------------------------------------------------------- slack
SLACK_CHANNELS = {"C0123", "C_NOSHARE", "C_RATE", "C_RATE1"}


def check_attachment(att, want_fields_before_ts):
    need(isinstance(att, dict), "attachment is not an object")
    keys = list(att.keys())
    allowed = ["color", "pretext", "text", "fields"]
    need([k for k in allowed if k in keys] == keys,
         "attachment keys %s (order color, pretext, text, fields)" % keys)
    for k in ("color", "pretext", "text"):
        need(k not in att or (isinstance(att[k], str) and att[k]), "empty %s sent" % k)
    fields = att.get("fields")
    need(isinstance(fields, list) and fields, "no fields")
    for f in fields:
        need(isinstance(f, dict) and list(f.keys()) == ["title", "value", "short"],
             "field shape %r" % f)
        need(isinstance(f["title"], str) and isinstance(f["value"], str)
             and f["short"] is False, "field types %r" % f)
    ts = fields[-1]
    need(ts["title"] == "Timestamp", "the last field is not Timestamp")
    need(RFC3339.match(ts["value"]), "Timestamp %r is not RFC 3339 UTC" % ts["value"])
    t = time.mktime(time.strptime(ts["value"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    need(abs(t - time.time()) < 300, "Timestamp %r is not now" % ts["value"])
    if want_fields_before_ts is not None:
        need(len(fields) - 1 == want_fields_before_ts, "field count")


def slack_json(h, body):
    h.exact("Content-Type", "application/json; charset=utf-8")
    try:
        return json.loads(body.decode("utf-8"))
    except ValueError:
        raise Violation("body is not JSON")


def slack_auth(h):
    auth = h.header("Authorization")
    if auth == "Bearer " + ARGS.token:
        return True
    h.send(200, {"ok": False, "error": "invalid_auth"})
    return False


def slack_api(h, method, body):
    h.check_ua()
    need(h.command == "POST", "API calls are POSTs")
    if not slack_auth(h):
        return
    if method == "files.getUploadURLExternal":
        h.exact("Content-Type", "application/x-www-form-urlencoded")
        text = body.decode("ascii")
        form = urllib.parse.parse_qsl(text, keep_blank_values=True, strict_parsing=True)
        need([k for k, _ in form] == ["filename", "length"], "form %r" % text)
        name, length = form[0][1], form[1][1]
        need(re.match(r"^[0-9]+$", length), "length %r" % length)
        with LOCK:
            STATE["seq"] += 1
            fid = "F%05d" % STATE["seq"]
            secret = uuid.uuid4().hex
            STATE["uploads"][secret] = {"id": fid, "name": name, "length": int(length)}
        port = h.server.server_address[1]
        h.send(200, {"ok": True, "file_id": fid,
                     "upload_url": "http://127.0.0.1:%d/upload/v1/%s?sig=%s" % (port, secret, secret[::-1])})
    elif method == "chat.postMessage":
        msg = slack_json(h, body)
        need(isinstance(msg, dict) and list(msg.keys()) == ["channel", "attachments"],
             "message keys %r" % list(msg.keys()))
        need(isinstance(msg["attachments"], list) and len(msg["attachments"]) == 1,
             "one attachment")
        check_attachment(msg["attachments"][0], None)
        ch = msg["channel"]
        if ch == "C_RATE":
            h.send(429, {"ok": False, "error": "ratelimited"}, headers=[("Retry-After", "30")])
            return
        if ch == "C_RATE1":
            with LOCK:
                n = STATE["counters"]["rate1"] = STATE["counters"].get("rate1", 0) + 1
            if n == 1:
                h.send(429, {"ok": False, "error": "ratelimited"}, headers=[("Retry-After", "1")])
                return
        if ch == "C_SCOPE":
            h.send(200, {"ok": False, "error": "missing_scope", "needed": "chat:write",
                         "provided": "files:write,channels:read"})
            return
        if ch not in SLACK_CHANNELS:
            h.send(200, {"ok": False, "error": "channel_not_found"})
            return
        with LOCK:
            STATE["seq"] += 1
            ts = "1700000000.%06d" % STATE["seq"]
        h.send(200, {"ok": True, "channel": ch, "ts": ts, "message": msg["attachments"][0]})
    elif method == "files.completeUploadExternal":
        msg = slack_json(h, body)
        need(isinstance(msg, dict) and list(msg.keys()) == ["files", "channel_id"],
             "completeUploadExternal keys %r" % list(msg.keys()))
        if msg["channel_id"] == "C_NOSHARE":
            h.send(200, {"ok": False, "error": "not_in_channel"})
            return
        with LOCK:
            known = {u["id"]: u for u in STATE["uploads"].values()}
        for f in msg["files"]:
            need(list(f.keys()) == ["id", "title"], "file entry %r" % f)
            u = known.get(f["id"])
            need(u is not None and u.get("done"), "file %s was not uploaded" % f["id"])
            need(u["name"] == f["title"], "title %r for %r" % (f["title"], u["name"]))
        h.send(200, {"ok": True, "files": [{"id": f["id"], "title": f["title"]} for f in msg["files"]]})
    else:
        h.send(404, {"ok": False, "error": "unknown_method"})


def slack_upload(h, secret, url, body):
    h.check_ua()
    need(h.command == "POST", "uploads are POSTs")
    need(h.header("Authorization") is None, "Authorization sent with a pre-signed upload")
    h.exact("Content-Type", "application/octet-stream")
    with LOCK:
        u = STATE["uploads"].get(secret)
    need(u is not None, "unknown upload URL")
    need(dict(urllib.parse.parse_qsl(url.query)).get("sig") == secret[::-1], "bad signature")
    need(len(body) == u["length"], "uploaded %d bytes, announced %d" % (len(body), u["length"]))
    with open(os.path.join(ARGS.dir, "upload-" + u["id"]), "wb") as f:
        f.write(body)
    u["done"] = True
    h.send(200, "OK - %d" % len(body))


def slack(h, url, body):
    parts = url.path.strip("/").split("/")
    if parts[0] == "services":  # incoming webhooks: /services/<team>/<bot>/<secret>
        h.check_ua()
        need(h.command == "POST", "webhook calls are POSTs")
        need(h.header("Authorization") is None, "Authorization sent to a webhook")
        h.exact("Content-Type", "application/json")
        try:
            msg = json.loads(body.decode("utf-8"))
        except ValueError:
            h.send(400, "invalid_payload")
            return
        need(isinstance(msg, dict) and list(msg.keys()) == ["attachments"], "webhook keys")
        check_attachment(msg["attachments"][0], 0)
        if parts[1] != "T000":
            h.send(404, "no_service")
        elif msg["attachments"][0].get("text") == "invalid":
            h.send(400, "invalid_payload")
        else:
            h.send(200, "ok", "text/html")
    elif parts[0] == "api" and len(parts) == 2:
        slack_api(h, parts[1], body)
    elif parts[0] == "upload" and len(parts) == 3:
        slack_upload(h, parts[2], url, body)
    else:
        raise Violation("unknown Slack path %s" % url.path)


# ---------------------------------------------------------------- influx
def influx_error(h, status, code, message):
    h.send(status, {"code": code, "message": message})


def influx_forward(bucket, line):
    """Writes the line to the real influxd (v1 /write); returns its error."""
    import urllib.request
    base = ARGS.influxd.rstrip("/")
    q = urllib.parse.urlencode({"q": 'CREATE DATABASE "%s"' % bucket})
    urllib.request.urlopen(urllib.request.Request(base + "/query?" + q, method="POST"))
    req = urllib.request.Request(
        base + "/write?" + urllib.parse.urlencode({"db": bucket, "precision": "ns"}),
        data=line, method="POST")
    try:
        urllib.request.urlopen(req)
        return None
    except urllib.error.HTTPError as e:
        return json.loads(e.read().decode()).get("error", "error")


def influx(h, url, body):
    h.check_ua()
    need(h.command == "POST" and url.path == "/api/v2/write", "%s %s" % (h.command, url.path))
    q = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
    need([k for k, _ in q] == ["org", "bucket", "precision"], "query %r" % url.query)
    q = dict(q)
    need(q["precision"] == "ns", "precision %r" % q["precision"])
    # The raw query must be percent-encoded as the spec says.
    need(url.query == "org=%s&bucket=%s&precision=ns" % (
        urllib.parse.quote(q["org"], safe="-._~"), urllib.parse.quote(q["bucket"], safe="-._~")),
        "query encoding %r" % url.query)
    h.exact("Content-Type", "text/plain; charset=utf-8")
    h.exact("Accept", "application/json")
    h.only_headers({"host", "user-agent", "accept", "authorization", "content-type",
                    "content-length"})
    if h.header("Authorization") != "Token " + ARGS.token:
        influx_error(h, 401, "unauthorized", "unauthorized access")
        return
    if q["org"] != ARGS.org:
        influx_error(h, 404, "not found", 'organization name "%s" not found' % q["org"])
        return
    if q["bucket"] == "missing":
        influx_error(h, 404, "not found", 'bucket "%s" not found' % q["bucket"])
        return
    text = body.decode("utf-8")
    need(text.endswith("\n") and text.count("\n") == 1, "not one line ending in \\n")
    stamp = text.rstrip("\n").rsplit(" ", 1)[1]
    need(re.match(r"^[0-9]{19}$", stamp), "timestamp %r" % stamp)
    need(abs(int(stamp) / 1e9 - time.time()) < 300, "timestamp is not now")
    if ARGS.influxd:
        err = influx_forward(q["bucket"], body)
        if err:
            influx_error(h, 400, "invalid", err)
            return
    h.send(204)


# ---------------------------------------------------------------- elastic
INDEX_BAD = re.compile(r'[\\/*?"<>| ,#:]')


def es_error(h, status, etype, reason, **extra):
    cause = dict({"type": etype, "reason": reason}, **extra)
    h.send(status, {"error": {"root_cause": [cause], "type": etype, "reason": reason},
                    "status": status})


def elastic_auth_ok(h):
    auth = h.header("Authorization")
    if auth is None and "none" in ARGS.auth:
        return True
    if auth is not None and auth in ARGS.auth:
        return True
    es_error(h, 401, "security_exception",
             "unable to authenticate user [x] for REST request [%s]" % h.path,
             header={"WWW-Authenticate": "Basic realm=\"security\" charset=\"UTF-8\""})
    return False


def elastic(h, url, body):
    h.check_ua()
    parts = url.path.split("/")
    need(h.command == "PUT" and len(parts) == 4 and parts[0] == "" and parts[2] == "_doc",
         "%s %s" % (h.command, url.path))
    need(url.query == "op_type=create", "query %r" % url.query)
    index, doc_id = urllib.parse.unquote(parts[1]), parts[3]
    need(UUID4.match(doc_id), "id %r is not a UUID v4" % doc_id)
    h.exact("Content-Type", "application/json")
    if ARGS.host:
        h.exact("Host", ARGS.host)
    h.only_headers({"host", "user-agent", "accept", "authorization", "content-type",
                    "content-length"})
    if not elastic_auth_ok(h):
        return
    try:
        doc = json.loads(body.decode("utf-8"))
    except ValueError:
        es_error(h, 400, "parse_exception", "request body is required")
        return
    need(isinstance(doc, dict), "the document is not an object")
    if index != index.lower() or INDEX_BAD.search(index) or index[:1] in "_-+":
        es_error(h, 400, "invalid_index_name_exception",
                 "Invalid index name [%s], must be lowercase" % index,
                 index_uuid="_na_", index=index)
        return
    if "port" in doc and not isinstance(doc["port"], int):
        es_error(h, 400, "mapper_parsing_exception",
                 "failed to parse field [port] of type [long] in document with id '%s'" % doc_id)
        return
    with LOCK:
        key = (index, doc_id)
        dup = key in STATE["docs"]
        if not dup:
            STATE["docs"][key] = doc
            STATE["seq"] += 1
        lose = ARGS.lose_first and STATE["counters"].setdefault("lost", 0) == 0
        if lose:
            STATE["counters"]["lost"] = 1
        if not dup:
            with open(os.path.join(ARGS.dir, "docs.jsonl"), "a") as f:
                f.write(json.dumps({"index": index, "id": doc_id, "doc": doc}) + "\n")
    if lose:  # indexed, but the answer is lost on the way
        h.send(503, "upstream gone")
        return
    if dup:
        es_error(h, 409, "version_conflict_engine_exception",
                 "[%s]: version conflict, document already exists (current version [1])" % doc_id,
                 index=index, shard="0")
        return
    h.send(201, {"_index": index, "_id": doc_id, "_version": 1, "result": "created",
                 "_shards": {"total": 2, "successful": 1, "failed": 0},
                 "_seq_no": STATE["seq"], "_primary_term": 1})


# ---------------------------------------------------------------- faults
# /hang/...                   reads the request, never answers
# /close/...                  starts an answer, closes mid-body
# /flaky/<key>/<plan>/...     the n-th request of <key> gets the n-th entry
#                             of <plan> (comma-separated, the last repeats):
#                             a status, "429+S" (Retry-After: S), "drop"
#                             (close without answering) or "ok": the
#                             service's success for the rest of the path
# /api/<method>               (the Slack Web API) the fault is named by the
#                             message's channel: "hang", "close" or
#                             "flaky/<key>/<plan>"
# Error answers quote the Authorization header they got, as careless
# servers do: the helpers must scrub it.
def fault_success(h, rest, body):
    if rest.endswith("/api/v2/write"):
        h.send(204)
    elif "/_doc/" in rest:
        doc_id = rest.rsplit("/", 1)[1]
        h.send(201, {"_index": rest.split("/")[1], "_id": doc_id, "_version": 1,
                     "result": "created"})
    elif rest.endswith("chat.postMessage"):
        h.send(200, {"ok": True, "channel": "C0123", "ts": "1700000000.000001"})
    else:
        h.send(200, "ok")


def fault_error(h, code, rest):
    said = "flaky %d for %s" % (code, h.headers.get("Authorization", "none"))
    if "/services/" in rest:
        h.send(code, said)
    else:
        h.send(code, {"code": "internal error", "message": said, "ok": False,
                      "error": {"type": "flaky", "reason": said}})


def faults(h, url, body):
    parts = url.path.strip("/").split("/")
    if parts[0] == "api":
        try:
            channel = json.loads(body.decode("utf-8"))["channel"]
        except (ValueError, KeyError, TypeError):
            raise Violation("a Slack API call without a channel naming the fault")
        parts = channel.split("/") + parts
    if parts[0] == "hang":
        try:
            while h.connection.recv(65536):
                pass
        except OSError:
            pass
        h.close_connection = True
        return
    if parts[0] == "close":
        h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                      b"Content-Length: 1000\r\n\r\npartial answer")
        h.wfile.flush()
        h.connection.shutdown(socket.SHUT_RDWR)
        h.close_connection = True
        return
    need(parts[0] == "flaky" and len(parts) >= 3, "unknown fault path %s" % url.path)
    key, plan = parts[1], parts[2].split(",")
    with LOCK:
        n = STATE["counters"][key] = STATE["counters"].get(key, 0) + 1
    step = plan[min(n, len(plan)) - 1]
    rest = "/" + "/".join(parts[3:])
    if step == "ok":
        fault_success(h, rest, body)
    elif step == "drop":
        h.connection.shutdown(socket.SHUT_RDWR)
        h.close_connection = True
    elif step.startswith("429+"):
        h.send(429, {"ok": False, "error": "ratelimited"}, headers=[("Retry-After", step[4:])])
    else:
        fault_error(h, int(step), rest)


SERVICES = {"webhook": webhook, "slack": slack, "influx": influx, "elastic": elastic,
            "faults": faults}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, handler, tls):
        super().__init__(addr, handler)
        self.tls = tls

    def finish_request(self, request, client_address):
        if self.tls:
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as e:
                append("tls.jsonl", {"handshake": "failed", "error": str(e)[:200]})
                return
            append("tls.jsonl", {"handshake": "ok"})
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass


def write_port(port):
    tmp = os.path.join(ARGS.dir, "port.tmp")
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, os.path.join(ARGS.dir, "port"))


def stall():
    """A listener whose queue is full: new connections are not answered."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(0)
    port = s.getsockname()[1]
    fill = []
    for _ in range(3):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fill.append(c)
    time.sleep(0.2)
    write_port(port)
    while True:
        time.sleep(3600)


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("service", choices=sorted(SERVICES) + ["stall"])
    p.add_argument("--dir", required=True)
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--token", default="")
    p.add_argument("--org", default="")
    p.add_argument("--influxd", default="")
    p.add_argument("--auth", action="append", default=[],
                   help="an Authorization value accepted; 'none': no header")
    p.add_argument("--host", default=None, help="the Host header expected")
    p.add_argument("--lose-first", action="store_true",
                   help="elastic: index the first document, answer 503")
    ARGS = p.parse_args()
    if ARGS.service == "stall":
        return stall()
    tls = None
    if ARGS.tls:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(*ARGS.tls)
    srv = Server(("127.0.0.1", 0), Handler, tls)
    write_port(srv.server_address[1])
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
