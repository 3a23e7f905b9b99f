#!/bin/sh
# vendor.webhook (vendors.md §1) through the daemon against a strict local
# stand-in (tests/tools/vendor_server.py webhook): the exact requests
# (method, target, headers, body), the answer's body for any status,
# U+FFFD for invalid UTF-8, redirects (303 and 301/302 after POST become
# GET, 307/308 keep method and body, credentials dropped across hosts, at
# most 10), no retry, the size cap, argument errors; HTTPS verified
# against a CA file made here (refused without it); a proxy from
# http_proxy.  No secret reaches any output.
. "$WH_TOP_SRCDIR/tests/lib.sh"
. "$WH_TOP_SRCDIR/tests/tools/vendor_lib.sh"

TOKEN=tok-9f2c1e7a5b3d
vendor_start hook webhook
port=$VENDOR_PORT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2> "$T/openssl.err" ||
  fail "openssl req: $(cat "$T/openssl.err")"
vendor_start tls webhook --tls "$T/cert.pem" "$T/key.pem"
tport=$VENDOR_PORT
vendor_items 3

cat > "$T/webhook.js" <<'JS'
var n = 0;
function clean(s) {
  return String(s).split(env.TOKEN).join("<token>").split(env.PORT).join("PORT")
    .split(env.TPORT).join("TPORT");
}
function t(name, f) {
  try { console.log(name + ": " + clean(f())); }
  catch (e) { console.log(name + ": " + clean(String(e))); }
}
// The stand-in's echo: method, target, headers and body of what it got.
function echo(r) {
  var o = JSON.parse(r);
  return o.method + " " + o.target + " " + JSON.stringify(o.headers) + " " +
    JSON.stringify(o.body);
}
function W(m, u, b, h) { return echo(vendor.webhook(m, env.BASE + u, b, h)); }
function cases() {
  var B = env.BASE, auth = { "Authorization": "Bearer " + env.TOKEN };
  t("post", function () {
    return W("POST", "/echo/a?x=1&y=%20z", JSON.stringify({ a: 1 }),
      { "X-Trace": 7, "Authorization": "Bearer " + env.TOKEN, "x-lower": true });
  });
  t("put", function () {
    return W("PUT", "/echo/p", "{}", { "Content-Type": "application/json", "User-Agent": "custom/1" });
  });
  t("get", function () { return W("GET", "/echo/g"); });
  t("head", function () { return JSON.stringify(vendor.webhook("HEAD", B + "/echo/h")); });
  t("delete", function () { return W("DELETE", "/echo/d", null, null); });
  t("custom", function () { return W("PURGE", "/echo/c", "x"); });
  t("post-nobody", function () { return W("POST", "/echo/n"); });
  t("empty-header", function () { return W("GET", "/echo/e", undefined, { "X-Empty": "" }); });
  t("number-body", function () { return W("POST", "/echo/num", 42); });
  t("404", function () { return vendor.webhook("GET", B + "/status/404"); });
  t("500", function () { return vendor.webhook("POST", B + "/status/500", "x"); });
  t("utf8", function () { return JSON.stringify(vendor.webhook("GET", B + "/utf8")); });
  t("empty", function () { return JSON.stringify(vendor.webhook("GET", B + "/empty")); });
  t("fits", function () { return vendor.webhook("GET", B + "/big/4096").length; });
  t("too-big", function () { return vendor.webhook("GET", B + "/big/4097").length; });
  t("r303", function () { return W("POST", "/redirect/303?to=/echo/r303", "b", { "Content-Type": "text/plain" }); });
  t("r301", function () { return W("POST", "/redirect/301?to=/echo/r301", "b", { "Content-Type": "text/plain" }); });
  t("r302-put", function () { return W("PUT", "/redirect/302?to=/echo/r302", "b"); });
  t("r307", function () { return W("POST", "/redirect/307?to=/echo/r307", "b"); });
  t("r308", function () { return W("PATCH", "/redirect/308?to=/echo/r308", "b"); });
  t("r303-head", function () { return JSON.stringify(vendor.webhook("HEAD", B + "/redirect/303?to=/echo/h")); });
  t("same-host", function () {
    return W("GET", "/redirect/302?to=" + encodeURIComponent(B + "/echo/same"), null,
      { "Authorization": "Bearer " + env.TOKEN, "Cookie": "s=" + env.TOKEN, "X-Keep": "1" });
  });
  t("other-host", function () {
    return W("GET", "/redirect/302?to=" + encodeURIComponent("http://other.localhost:" + env.PORT + "/echo/other"),
      null, { "Authorization": "Bearer " + env.TOKEN, "Cookie": "s=" + env.TOKEN, "X-Keep": "1" });
  });
  t("chain10", function () { return W("GET", "/chain/10"); });
  t("chain11", function () { return W("GET", "/chain/11"); });
  t("to-ftp", function () { return W("GET", "/redirect/302?to=" + encodeURIComponent("ftp://127.0.0.1/x")); });
  t("bad-method", function () { return vendor.webhook("GE T", B + "/echo"); });
  t("bad-url", function () { return vendor.webhook("GET", "ftp://127.0.0.1/x"); });
  t("relative-url", function () { return vendor.webhook("GET", "/echo"); });
  t("no-url", function () { return vendor.webhook("GET"); });
  t("no-method", function () { return vendor.webhook(); });
  t("header-name", function () { return vendor.webhook("GET", B + "/echo", null, { "Bad Name": 1 }); });
  t("header-crlf", function () { return vendor.webhook("GET", B + "/echo", null, { "X-A": "a\r\nX-Injected: 1" }); });
  t("header-length", function () { return vendor.webhook("POST", B + "/echo", "x", { "Content-Length": "99" }); });
  t("headers-type", function () { return vendor.webhook("GET", B + "/echo", null, "x"); });
  t("refused", function () { return vendor.webhook("POST", "http://127.0.0.1:1/hook/" + env.TOKEN, "x", auth); });
  t("https-untrusted", function () { return vendor.webhook("GET", env.TLS + "/echo/s"); });
}
function onItemCaptured(d) {
  n++;
  if (n === 1)
    cases();
  console.log("item " + n);
}
JS
cfg=$(printf '[plugin.webhook]\nmax_response = 4K\n[scripting.env]\nBASE = http://127.0.0.1:%s\nTLS = https://127.0.0.1:%s\nPORT = %s\nTPORT = %s\nTOKEN = %s\n' \
  "$port" "$tport" "$port" "$tport" "$TOKEN" | wh_config)
vendor_run plain "$T/webhook.js" "$cfg"
cat > "$T/expected" <<'OUT'
post: POST /echo/a?x=1&y=%20z [["Host","127.0.0.1:PORT"],["User-Agent","wirehook/0.1.0"],["Accept","*/*"],["X-Trace","7"],["Authorization","Bearer <token>"],["x-lower","true"],["Content-Length","7"]] "{\"a\":1}"
put: PUT /echo/p [["Host","127.0.0.1:PORT"],["Accept","*/*"],["Content-Type","application/json"],["User-Agent","custom/1"],["Content-Length","2"]] "{}"
get: GET /echo/g [["Host","127.0.0.1:PORT"],["User-Agent","wirehook/0.1.0"],["Accept","*/*"]] ""
head: ""
delete: DELETE /echo/d [["Host","127.0.0.1:PORT"],["User-Agent","wirehook/0.1.0"],["Accept","*/*"]] ""
custom: PURGE /echo/c [["Host","127.0.0.1:PORT"],["User-Agent","wirehook/0.1.0"],["Accept","*/*"],["Content-Length","1"]] "x"
post-nobody: POST /echo/n [["Host","127.0.0.1:PORT"],["User-Agent","wirehook/0.1.0"],["Accept","*/*"],["Content-Length","0"]] ""
empty-header: GET /echo/e [["Host","127.0.0.1:PORT"],["User-Agent","wirehook/0.1.0"],["Accept","*/*"],["X-Empty",""]] ""
number-body: POST /echo/num [["Host","127.0.0.1:PORT"],["User-Agent","wirehook/0.1.0"],["Accept","*/*"],["Content-Length","2"]] "42"
404: status 404 body
500: status 500 body
utf8: "ok \ufffd\ufffd end \ufffd x"
empty: ""
fits: 4096
too-big: Error: vendor.webhook: answer from 127.0.0.1:PORT exceeds max_response = 4096 bytes (GET)
r303: GET /echo/r303 [["Host","127.0.0.1:PORT"],["User-Agent","wirehook/0.1.0"],["Accept","*/*"]] ""
r301: GET /echo/r301 [["Host","127.0.0.1:PORT"],["User-Agent","wirehook/0.1.0"],["Accept","*/*"]] ""
r302-put: PUT /echo/r302 [["Host","127.0.0.1:PORT"],["User-Agent","wirehook/0.1.0"],["Accept","*/*"],["Content-Length","1"]] "b"
r307: POST /echo/r307 [["Host","127.0.0.1:PORT"],["User-Agent","wirehook/0.1.0"],["Accept","*/*"],["Content-Length","1"]] "b"
r308: PATCH /echo/r308 [["Host","127.0.0.1:PORT"],["User-Agent","wirehook/0.1.0"],["Accept","*/*"],["Content-Length","1"]] "b"
r303-head: ""
same-host: GET /echo/same [["Host","127.0.0.1:PORT"],["User-Agent","wirehook/0.1.0"],["Accept","*/*"],["Authorization","Bearer <token>"],["Cookie","s=<token>"],["X-Keep","1"]] ""
other-host: GET /echo/other [["Host","other.localhost:PORT"],["User-Agent","wirehook/0.1.0"],["Accept","*/*"],["X-Keep","1"]] ""
chain10: GET /echo/end [["Host","127.0.0.1:PORT"],["User-Agent","wirehook/0.1.0"],["Accept","*/*"]] ""
chain11: Error: vendor.webhook: more than 10 redirects (GET)
to-ftp: Error: vendor.webhook: 127.0.0.1:PORT redirected to a URL that is not http(s) (GET)
bad-method: TypeError: vendor.webhook: method must be an HTTP method name (a token)
bad-url: TypeError: vendor.webhook: url must be an http:// or https:// URL
relative-url: TypeError: vendor.webhook: url must be an http:// or https:// URL
no-url: TypeError: vendor.webhook: url is required
no-method: TypeError: vendor.webhook: method is required
header-name: TypeError: vendor.webhook: headers: "Bad Name" is not a valid header name
header-crlf: TypeError: vendor.webhook: headers: the value of X-A has a line break or NUL
header-length: TypeError: vendor.webhook: headers: Content-Length is set by the helper
headers-type: TypeError: vendor.webhook: headers must be an object
refused: Error: vendor.webhook: cannot connect to 127.0.0.1:1 (POST): Connection refused
OUT
"$PYTHON3" - "$T/expected" <<'PY' > "$T/expected.txt"
import sys
# \ufffd in the file stands for the replacement character itself.
print(open(sys.argv[1], encoding="utf-8").read().replace("\\ufffd", "\ufffd"), end="")
PY
actual=$(vendor_lines plain webhook.js | grep -v '^https-untrusted: \|^item ')
assert_eq "$(cat "$T/expected.txt")" "$actual" "vendor.webhook: requests, answers and errors"
https=$(vendor_lines plain webhook.js | sed -n 's/^https-untrusted: //p')
assert_contains "$https" "Error: vendor.webhook: TLS with 127.0.0.1:TPORT failed (GET): " "HTTPS without the CA"
assert_contains "$https" "self-signed certificate" "HTTPS without the CA: the reason"
assert_eq "item 1
item 2
item 3" "$(vendor_lines plain webhook.js | grep '^item ')" "every item is processed"
# Never retried: the 500 was asked for once.
assert_eq 1 "$(grep -c '"target": "/status/500"' "$T/hook/requests.jsonl")" "the 500 is not retried"
# The debug line names method, scheme and host only.
assert_contains "$(cat "$T/plain.err")" "webhook: vendor.webhook: POST http://127.0.0.1:$port -> 200 in " "debug line"
if grep -E '/echo|/status|/redirect|/chain|/hook/' "$T/plain.err"; then
  fail "a URL path appears in the log"
fi

# HTTPS with ca_file, host names checked; a proxy from http_proxy (the
# stand-in answers absolute-form requests as the proxy).
cat > "$T/webhook2.js" <<'JS'
var n = 0;
function clean(s) {
  return String(s).split(env.TOKEN).join("<token>").split(env.PORT).join("PORT")
    .split(env.TPORT).join("TPORT");
}
function t(name, f) {
  try { console.log(name + ": " + clean(f())); }
  catch (e) { console.log(name + ": " + clean(String(e))); }
}
function onItemCaptured(d) {
  if (++n > 1) return;
  t("https", function () { return JSON.parse(vendor.webhook("POST", "https://127.0.0.1:" + env.TPORT + "/echo/t", "s")).target; });
  t("https-name", function () { return JSON.parse(vendor.webhook("GET", "https://localhost:" + env.TPORT + "/echo/n")).target; });
  t("https-wrong-name", function () { return vendor.webhook("GET", "https://other.localhost:" + env.TPORT + "/echo/w"); });
  t("proxy", function () {
    var r = JSON.parse(vendor.webhook("POST", "http://hooks.example.test/services/" + env.TOKEN, "p"));
    return r.proxied + " " + r.target + " " + r.host;
  });
}
JS
cfg2=$(printf '[plugin.webhook]\nca_file = %s\n[scripting.env]\nPORT = %s\nTPORT = %s\nTOKEN = %s\n' \
  "$T/cert.pem" "$port" "$tport" "$TOKEN" | wh_config)
http_proxy=http://127.0.0.1:$port vendor_run tls "$T/webhook2.js" "$cfg2"
out=$(vendor_lines tls webhook2.js)
assert_contains "$out" "https: /echo/t" "HTTPS with the CA file"
assert_contains "$out" "https-name: /echo/n" "HTTPS by host name"
assert_contains "$out" "https-wrong-name: Error: vendor.webhook: TLS with other.localhost:TPORT failed (GET): " "a certificate for another name"
assert_contains "$out" "proxy: true http://hooks.example.test/services/<token> hooks.example.test" "the request went through http_proxy"
# (curl checks the name after the handshake; the stand-in sees it pass)
assert_eq 3 "$(grep -c '"handshake": "ok"' "$T/tls/tls.jsonl")" "TLS handshakes that succeeded"
assert_eq 1 "$(grep -c '"handshake": "failed"' "$T/tls/tls.jsonl")" "TLS handshakes refused (no CA file)"
assert_eq 2 "$(vendor_requests tls)" "requests over TLS (the wrong name sends none)"

vendor_check hook
vendor_check tls
vendor_no_secrets "$TOKEN"

# A bad option refuses the plugin at start-up, naming the key.
cfg3=$(printf '[plugin.webhook]\ntimeout_ms = soon\n' | wh_config)
rc=0
wh replay "$T/items.jsonl" -c "$cfg3" > "$T/bad.out" 2> "$T/bad.err" || rc=$?
assert_eq 2 "$rc" "a bad timeout_ms: exit status"
assert_contains "$(cat "$T/bad.err")" "webhook: [plugin.webhook] timeout_ms: expected milliseconds from 1 to 3600000" "a bad timeout_ms: the message"
