#!/bin/sh
# vendor.elastic (vendors.md §5) through the daemon against strict
# Elasticsearch stand-ins (tests/tools/vendor_server.py elastic): PUT
# /<index>/_doc/<uuid v4>?op_type=create with the document as
# JSON.stringify writes it; API key (raw and id:key), service token and
# Basic credentials in that order of precedence, or none; the index
# percent-encoded as one segment; Elasticsearch's error answers; a 409
# after a retry counts as success; Cloud IDs (the spec's example through
# a proxy from https_proxy, and one pointing at a local TLS stand-in);
# certificate fingerprint pinning against a TLS stand-in whose chain
# (leaf and CA) is made here with openssl: the leaf's or the CA's
# fingerprint connects, host names are not checked, a wrong fingerprint
# is refused before any request is sent.  Then the Elasticsearch job of
# scripts/examples runs in `wirehook run` with a Cloud ID and an API key.
# No secret reaches any output.
. "$WH_TOP_SRCDIR/tests/lib.sh"
. "$WH_TOP_SRCDIR/tests/tools/vendor_lib.sh"

PASS='pa55-w0rd:x'
RAWKEY=VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==
PAIRKEY=VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw
SVCTOKEN=AAEAAWVsYXN0aWMvZmxlZXQtc2VydmVyL3Rva2VuMTo3TFdaSDZ
b64() { printf '%s' "$1" | base64 -w0; }
BASIC=$(b64 "elastic:$PASS")

# A CA and a leaf it signs (localhost, 127.0.0.1, abc123.localhost); the
# stand-in sends both.
ossl() { openssl "$@" 2>> "$T/openssl.err" || fail "openssl $1: $(cat "$T/openssl.err")"; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$T/ca.key" -out "$T/ca.pem" -days 2 -subj /CN=wirehook-test-ca
ossl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$T/leaf.key" -out "$T/leaf.csr" -subj /CN=localhost
printf 'subjectAltName=DNS:localhost,DNS:abc123.localhost,IP:127.0.0.1\n' > "$T/ext"
ossl x509 -req -in "$T/leaf.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
  -CAcreateserial -days 2 -extfile "$T/ext" -out "$T/leaf.pem"
cat "$T/leaf.pem" "$T/ca.pem" > "$T/chain.pem"
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//'; }
LEAF_FP=$(fp "$T/leaf.pem")   # AB:CD:… upper case with colons
CA_FP=$(fp "$T/ca.pem")
LEAF_FP_LOWER=$(printf '%s' "$LEAF_FP" | tr -d : | tr 'A-F' 'a-f')
WRONG_FP=$(printf '%s' "$CA_FP" | tr -d : | tr '0-9A-F' '1-9A-F0')

vendor_start es elastic --auth "Basic $BASIC" --auth "ApiKey $RAWKEY" \
  --auth "ApiKey $(b64 "$PAIRKEY")" --auth "Bearer $SVCTOKEN" --auth none
port=$VENDOR_PORT
vendor_start tls elastic --tls "$T/chain.pem" "$T/leaf.key" --auth none
tport=$VENDOR_PORT
vendor_start lose elastic --lose-first --auth none
lport=$VENDOR_PORT
vendor_start proxy webhook
pport=$VENDOR_PORT
vendor_items 2

cat > "$T/elastic.js" <<'JS'
var n = 0;
function clean(s) {
  return String(s).replace(/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/g, "<uuid>")
    .split(env.PORT).join("PORT").split(env.TPORT).join("TPORT");
}
function t(name, f) {
  try { console.log(name + ": " + clean(f())); }
  catch (e) { console.log(name + ": " + clean(String(e))); }
}
var doc = { msg: "Grüße \"q\" \\ \n", n: 0.1, big: 1e21, neg: -0, nested: { a: [1, null, true], u: undefined } };
function E(url, index, data, user, pass, cloud, key, token, fp) {
  return vendor.elastic(url, index, data, user, pass, cloud, key, token, fp);
}
function cases() {
  var U = env.URL, S = "https://127.0.0.1:" + env.TPORT;
  console.log("body: " + JSON.stringify(doc));
  t("basic", function () { return E(U, "wirehook", doc, "elastic", env.PASS); });
  t("apikey", function () { return E(U, "wirehook", { k: 1 }, "", "", "", env.RAWKEY); });
  t("apikey-pair", function () { return E(U, "wirehook", { k: 2 }, "", "", "", env.PAIRKEY); });
  t("apikey-first", function () { return E(U, "wirehook", { k: 3 }, "elastic", env.PASS, "", env.RAWKEY, env.SVCTOKEN); });
  t("token", function () { return E(U, "wirehook", { k: 4 }, "", "", "", "", env.SVCTOKEN); });
  t("token-first", function () { return E(U, "wirehook", { k: 5 }, "elastic", env.PASS, "", "", env.SVCTOKEN); });
  t("none", function () { return E(U, "wirehook", { k: 6 }); });
  t("nulls", function () { return E(U + "/", "wirehook", { k: 7 }, null, undefined, null, null, null, null); });
  t("wrong-password", function () { return E(U, "wirehook", { k: 8 }, "elastic", "not-" + env.PASS); });
  t("bad-index", function () { return E(U, "Bad Index", { k: 9 }); });
  t("index-slash", function () { return E(U, "a/b", { k: 10 }); });
  t("mapping", function () { return E(U, "wirehook", { port: "eighty" }); });
  t("lost-answer", function () { return E(env.LOSE, "wirehook", { k: 11 }); });
  t("data-array", function () { return E(U, "wirehook", [1]); });
  t("data-string", function () { return E(U, "wirehook", "x"); });
  t("no-index", function () { return E(U, "", { k: 1 }); });
  t("no-endpoint", function () { return E("", "wirehook", { k: 1 }); });
  t("bad-cloud", function () { return E("", "wirehook", { k: 1 }, "", "", "deploy:!!not-base64"); });
  t("cloud-one-part", function () { return E("", "wirehook", { k: 1 }, "", "", "deploy:aG9zdG9ubHk="); });
  t("bad-url", function () { return E("es.local:9200", "wirehook", { k: 1 }); });
  t("bad-fp", function () { return E(S, "wirehook", { k: 1 }, "", "", "", "", "", "12:34"); });
  t("fp-http", function () { return E(U, "wirehook", { k: 1 }, "", "", "", "", "", env.LEAF_FP); });
  t("tls-untrusted", function () { return E(S, "wirehook", { k: 20 }); });
  t("pin-leaf", function () { return E(S, "wirehook", { k: 21 }, "", "", "", "", "", env.LEAF_FP); });
  t("pin-lower", function () { return E(S, "wirehook", { k: 22 }, "", "", "", "", "", env.LEAF_FP_LOWER); });
  t("pin-ca", function () { return E(S, "wirehook", { k: 23 }, "", "", "", "", "", env.CA_FP); });
  t("pin-any-name", function () { return E("https://other.localhost:" + env.TPORT, "wirehook", { k: 24 }, "", "", "", "", "", env.CA_FP); });
  t("pin-cloud", function () { return E("", "wirehook", { k: 25 }, "", "", env.LOCAL_CLOUD, "", "", env.CA_FP); });
  t("pin-wrong", function () { return E(S, "wirehook", { k: 26 }, "", "", "", "", "", env.WRONG_FP); });
  t("spec-cloud", function () { return E("", "wirehook", { k: 27 }, "", "", env.SPEC_CLOUD, env.RAWKEY); });
}
function onItemCaptured(d) {
  if (++n === 1)
    cases();
  console.log("item " + n);
}
JS
spec_cloud=my-deploy:dXMtZWFzdDEuZ2NwLmVsYXN0aWMtY2xvdWQuY29tJGFiYzEyMyRkZWY0NTY=
local_cloud="local:$(b64 "localhost:$tport\$abc123\$kb456")"
cfg=$(printf '[plugin.elastic]\ntimeout_ms = 5000\n[scripting.env]\nURL = http://127.0.0.1:%s\nLOSE = http://127.0.0.1:%s\nPORT = %s\nTPORT = %s\nPASS = %s\nRAWKEY = %s\nPAIRKEY = %s\nSVCTOKEN = %s\nLEAF_FP = %s\nLEAF_FP_LOWER = %s\nCA_FP = %s\nWRONG_FP = %s\nSPEC_CLOUD = %s\nLOCAL_CLOUD = %s\n' \
  "$port" "$lport" "$port" "$tport" "$PASS" "$RAWKEY" "$PAIRKEY" "$SVCTOKEN" "$LEAF_FP" "$LEAF_FP_LOWER" "$CA_FP" "$WRONG_FP" "$spec_cloud" "$local_cloud" | wh_config)
https_proxy=http://127.0.0.1:$pport no_proxy=127.0.0.1,localhost vendor_run es "$T/elastic.js" "$cfg"
cat > "$T/expected" <<'OUT'
basic: <uuid>
apikey: <uuid>
apikey-pair: <uuid>
apikey-first: <uuid>
token: <uuid>
token-first: <uuid>
none: <uuid>
nulls: <uuid>
wrong-password: Error: vendor.elastic: HTTP 401 from 127.0.0.1:PORT (PUT): security_exception: unable to authenticate user [x] for REST request [/wirehook/_doc/<uuid>?op_type=create]
bad-index: Error: vendor.elastic: HTTP 400 from 127.0.0.1:PORT (PUT): invalid_index_name_exception: Invalid index name [Bad Index], must be lowercase
index-slash: Error: vendor.elastic: HTTP 400 from 127.0.0.1:PORT (PUT): invalid_index_name_exception: Invalid index name [a/b], must be lowercase
mapping: Error: vendor.elastic: HTTP 400 from 127.0.0.1:PORT (PUT): mapper_parsing_exception: failed to parse field [port] of type [long] in document with id '<uuid>'
lost-answer: <uuid>
data-array: TypeError: vendor.elastic: data must be an object, not an array
data-string: TypeError: vendor.elastic: data must be an object
no-index: TypeError: vendor.elastic: index must not be empty
no-endpoint: TypeError: vendor.elastic: url or cloudID is required
bad-cloud: TypeError: vendor.elastic: invalid Cloud ID
cloud-one-part: TypeError: vendor.elastic: invalid Cloud ID
bad-url: TypeError: vendor.elastic: url must be an http:// or https:// URL
bad-fp: TypeError: vendor.elastic: certificateFingerprint must be 64 hex digits (SHA-256), colons allowed
fp-http: TypeError: vendor.elastic: certificateFingerprint needs an https:// URL
tls-untrusted: Error: vendor.elastic: TLS with 127.0.0.1:TPORT failed (PUT): SSL certificate problem: self-signed certificate in certificate chain
pin-leaf: <uuid>
pin-lower: <uuid>
pin-ca: <uuid>
pin-any-name: <uuid>
pin-cloud: <uuid>
pin-wrong: Error: vendor.elastic: certificate fingerprint mismatch for 127.0.0.1:TPORT (PUT)
spec-cloud: Error: vendor.elastic: the proxy refused to connect to abc123.us-east1.gcp.elastic-cloud.com:443: HTTP 403 (PUT)
item 1
item 2
OUT
assert_eq "$(cat "$T/expected")" "$(vendor_lines es elastic.js | grep -v '^Indexed document \|^body: ')" "vendor.elastic: results and errors"
# Each success logs its id and index, and returns that id.
ids=$(vendor_lines es elastic.js | sed -n 's/^Indexed document \([0-9a-f-]*\) into Elasticsearch index: wirehook$/\1/p')
assert_eq 14 "$(printf '%s\n' "$ids" | grep -c .)" "status lines of indexed documents"

# The requests, in order: which credentials each one carried, the body
# byte for byte, one segment for the index, the retried id.
body=$(vendor_lines es elastic.js | sed -n 's/^body: //p')
"$PYTHON3" - "$T" "$body" "$BASIC" "$RAWKEY" "$(b64 "$PAIRKEY")" "$SVCTOKEN" "$tport" \
  "$(b64 "elastic:not-$PASS")" "$ids" <<'PY' || fail "Elasticsearch requests (above)"
import base64, json, sys
t, body, basic, raw, pair, token, tport, wrong, ids = sys.argv[1:10]
def reqs(name):
    return [json.loads(l) for l in open("%s/%s/requests.jsonl" % (t, name))]
def auth(r):
    return dict(r["headers"]).get("Authorization", "none")
es = reqs("es")
got = [(auth(r), r["path"].rsplit("/", 1)[0]) for r in es]
want = [("Basic " + basic, "/wirehook/_doc"), ("ApiKey " + raw, "/wirehook/_doc"),
        ("ApiKey " + pair, "/wirehook/_doc"), ("ApiKey " + raw, "/wirehook/_doc"),
        ("Bearer " + token, "/wirehook/_doc"), ("Bearer " + token, "/wirehook/_doc"),
        ("none", "/wirehook/_doc"), ("none", "/wirehook/_doc"),
        ("Basic " + wrong, "/wirehook/_doc"), ("none", "/Bad%20Index/_doc"),
        ("none", "/a%2Fb/_doc"), ("none", "/wirehook/_doc")]
assert got == want, "\n".join(map(str, got))
assert base64.b64decode(es[0]["body_b64"]).decode() == body, "the body is not JSON.stringify(data)"
assert all(dict(r["headers"])["Content-Type"] == "application/json" for r in es)
lose = reqs("lose")
assert len(lose) == 2 and lose[0]["path"] == lose[1]["path"], "the lost answer was retried with the same id"
lost_id = lose[0]["path"].rsplit("/", 1)[1]
assert lost_id in ids.split(), "the retried document's id is returned"
assert len(open(t + "/lose/docs.jsonl").readlines()) == 1, "indexed once"
tls = reqs("tls")
assert [json.loads(base64.b64decode(r["body_b64"]))["k"] for r in tls] == [21, 22, 23, 24, 25], \
    "over TLS: the pinned requests only (not the refused ones)"
assert dict(tls[4]["headers"])["Host"] == "abc123.localhost:" + tport, "the Cloud ID's host"
hs = [json.loads(l)["handshake"] for l in open(t + "/tls/tls.jsonl")]
assert hs == ["failed", "ok", "ok", "ok", "ok", "ok", "failed"], hs
proxy = reqs("proxy")
assert [(r["method"], r["target"]) for r in proxy] == [
    ("CONNECT", "abc123.us-east1.gcp.elastic-cloud.com:443")], proxy
PY
for s in es tls lose proxy; do vendor_check "$s"; done

# The Elasticsearch job of scripts/examples: a Cloud ID for a TLS
# stand-in trusted through ca_file, the API key from a file.
vendor_start cloud elastic --tls "$T/chain.pem" "$T/leaf.key" --auth "ApiKey $(b64 "$PAIRKEY")"
cport=$VENDOR_PORT
printf '%s\n' "$PAIRKEY" > "$T/api-key"
cfg=$(printf '[plugin.elastic]\nca_file = %s\n[scripting.env]\nELASTIC_INDEX = wirehook-jobs\nELASTIC_CLOUD_ID = local:%s\nELASTIC_API_KEY_FILE = %s\nELASTIC_CRON = */1 * * * * *\n' \
  "$T/ca.pem" "$(b64 "localhost:$cport\$abc123\$kb456")" "$T/api-key" | wh_config)
vendor_daemon job "$cfg" "$WH_TOP_SRCDIR/scripts/examples/elastic-job.js"
vendor_wait_for "$T/job.out" "into Elasticsearch index: wirehook-jobs" 20
vendor_daemon_stop
assert_contains "$(cat "$T/job.out")" '[elastic-job.js] Data: {"node":"","items":0,"errors":0,"slowest_ms":0}' "the job's data"
"$PYTHON3" - "$T/cloud" "$cport" <<'PY' || fail "the example job's request"
import base64, json, sys
r = json.loads(open(sys.argv[1] + "/requests.jsonl").readline())
assert r["path"].startswith("/wirehook-jobs/_doc/"), r["path"]
assert dict(r["headers"])["Host"] == "abc123.localhost:" + sys.argv[2], r["headers"]
assert json.loads(base64.b64decode(r["body_b64"])) == {"node": "", "items": 0, "errors": 0, "slowest_ms": 0}
PY
vendor_check cloud
vendor_no_secrets "$PASS" "$RAWKEY" "$PAIRKEY" "$(b64 "$PAIRKEY")" "$SVCTOKEN" "$BASIC"
