#!/bin/sh
# vendor.slack and vendor.slackBot (vendors.md §2, §3) through the daemon
# against a strict Slack stand-in (tests/tools/vendor_server.py slack):
# the webhook's JSON attachment (empty keys left out, RFC 3339 Timestamp)
# and Slack's error answers; the bot's external upload flow (a pre-signed
# URL per file, raw bytes without Authorization, the message, then the
# share), its fields, the files' bytes as uploaded, ok:false codes with
# scopes, 429 with a Retry-After too long and one that is honoured, a
# missing file refused before anything is sent, a failed share after the
# message; then the two Slack examples of scripts/examples over the
# bundled items.  No secret reaches any output.
. "$WH_TOP_SRCDIR/tests/lib.sh"
. "$WH_TOP_SRCDIR/tests/tools/vendor_lib.sh"

TOKEN=xoxb-1111-2222-f0e1d2c3b4a5
HOOK_SECRET=Xq7Pz3K9mWv2Lr8N
vendor_start slack slack --token "$TOKEN"
port=$VENDOR_PORT
vendor_items 2
mkdir -p "$T/data/pcaps" "$T/data/tmp"
printf '{"n": 1, "name": "caf\303\251"}\n' > "$T/data/tmp/data.json"
"$PYTHON3" -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 3)' > "$T/data/pcaps/x.pcap"

cat > "$T/slack.js" <<'JS'
var n = 0;
function clean(s) {
  return String(s).split(env.PORT).join("PORT");
}
function t(name, f) {
  try { console.log(name + ": " + clean(f())); }
  catch (e) { console.log(name + ": " + clean(String(e))); }
}
var fields = { "Service": "orders", "Count": 3, "Ok": true, "Path": "/api/v1/x" };
function bot(channel, f, files, token) {
  return vendor.slackBot(token || TOKEN, channel, "Server-side Error", "An HTTP 500",
                         "#ff0000", f, files);
}
function cases() {
  t("webhook", function () { return vendor.slack(env.HOOK, "Server-side Error", "text", "#ff0000"); });
  t("webhook-empty", function () { return vendor.slack(env.HOOK, "", "only text", ""); });
  t("webhook-gone", function () { return vendor.slack(env.GONE_HOOK, "p", "t", "#000000"); });
  t("webhook-invalid", function () { return vendor.slack(env.HOOK, "p", "invalid", "#000000"); });
  t("webhook-no-color", function () { return vendor.slack(env.HOOK, "p", "t"); });
  t("webhook-url", function () { return vendor.slack("hooks.slack.com/services/x", "p", "t", "c"); });
  t("bot", function () { return bot("C0123", fields, { "capture.pcap": "pcaps/x.pcap", "data.json": "tmp/data.json" }); });
  t("bot-plain", function () { return bot("C0123"); });
  t("bot-channel", function () { return bot("C9999", fields); });
  t("bot-scope", function () { return bot("C_SCOPE"); });
  t("bot-auth", function () { return bot("C0123", null, null, "xoxb-not-" + TOKEN.slice(5)); });
  t("bot-rate", function () { return bot("C_RATE"); });
  t("bot-rate-once", function () { return bot("C_RATE1"); });
  var before = 0;
  t("bot-missing-file", function () { return bot("C0123", fields, { "a.txt": "tmp/data.json", "b.txt": "tmp/nope.txt" }); });
  t("bot-escape", function () { return bot("C0123", fields, { "p": "../wirehook.ini" }); });
  t("bot-dir", function () { return bot("C0123", fields, { "p": "tmp" }); });
  t("bot-noshare", function () { return bot("C_NOSHARE", fields, { "data.json": "tmp/data.json" }); });
  t("bot-fields-type", function () { return bot("C0123", "x"); });
  t("bot-files-type", function () { return bot("C0123", null, { "a": 1 }); });
  t("bot-no-token", function () { return vendor.slackBot(undefined, "C0123", "p", "t", "c"); });
}
function onItemCaptured(d) {
  if (++n === 1)
    cases();
  console.log("item " + n);
}
JS
cfg=$(printf '[plugin.slack]\napi_base = http://127.0.0.1:%s/api\ntimeout_ms = 5000\n[scripting.env]\nHOOK = http://127.0.0.1:%s/services/T000/B000/%s\nGONE_HOOK = http://127.0.0.1:%s/services/T999/B000/%s\nPORT = %s\nTOKEN = %s\n' \
  "$port" "$port" "$HOOK_SECRET" "$port" "$HOOK_SECRET" "$port" "$TOKEN" | wh_config)
vendor_run bot "$T/slack.js" "$cfg"
cat > "$T/expected" <<'OUT'
webhook: undefined
webhook-empty: undefined
webhook-gone: Error: vendor.slack: HTTP 404 from 127.0.0.1:PORT (POST): no_service
webhook-invalid: Error: vendor.slack: HTTP 400 from 127.0.0.1:PORT (POST): invalid_payload
webhook-no-color: TypeError: vendor.slack: color is required
webhook-url: TypeError: vendor.slack: webhookUrl must be an http:// or https:// URL
Message sent to Slack channel: C0123
Shared file: capture.pcap to Slack channel: C0123
Shared file: data.json to Slack channel: C0123
bot: 1700000000.000003
Message sent to Slack channel: C0123
bot-plain: 1700000000.000004
bot-channel: Error: vendor.slackBot: chat.postMessage failed: channel_not_found
bot-scope: Error: vendor.slackBot: chat.postMessage failed: missing_scope (needed: chat:write; provided: files:write,channels:read)
bot-auth: Error: vendor.slackBot: chat.postMessage failed: invalid_auth
bot-rate: Error: vendor.slackBot: chat.postMessage failed: rate_limited (retry after 30 s)
Message sent to Slack channel: C_RATE1
bot-rate-once: 1700000000.000005
bot-missing-file: Error: vendor.slackBot: files: b.txt: tmp/nope.txt: No such file or directory
bot-escape: Error: vendor.slackBot: files: p: path "../wirehook.ini" escapes the data directory
bot-dir: Error: vendor.slackBot: files: p: tmp: Is a directory
Message sent to Slack channel: C_NOSHARE
bot-noshare: Error: vendor.slackBot: files.completeUploadExternal failed: not_in_channel
bot-fields-type: TypeError: vendor.slackBot: fields must be an object
bot-files-type: TypeError: vendor.slackBot: files: the path of a must be a string
bot-no-token: TypeError: vendor.slackBot: token is required
item 1
item 2
OUT
assert_eq "$(cat "$T/expected")" "$(vendor_lines bot slack.js)" "Slack helpers: results, errors and status lines"
vendor_check slack

# What the stand-in received, in order: the failed file checks sent
# nothing, the rate limit of 30 s (beyond timeout_ms) was not waited for,
# the one of 1 s was.
"$PYTHON3" - "$T/slack" "$T/data" > "$T/seen" <<'PY' || fail "Slack requests: $(cat "$T/seen")"
import base64, json, sys
d, data = sys.argv[1], sys.argv[2]
reqs = [json.loads(l) for l in open(d + "/requests.jsonl")]
for r in reqs:
    p = r["path"]
    print(r["method"], "/upload/…" if p.startswith("/upload/") else p.split("/services/")[0] + ("/services/" + p.split("/")[2] if "/services/" in p else ""))
def body(r):
    return json.loads(base64.b64decode(r["body_b64"]))
posts = [body(r) for r in reqs if r["path"] == "/api/chat.postMessage"]
hooks = [body(r) for r in reqs if r["path"].startswith("/services/")]
att = posts[0]["attachments"][0]
assert posts[0]["channel"] == "C0123", posts[0]
assert [k for k in att] == ["color", "pretext", "text", "fields"], att
assert (att["color"], att["pretext"], att["text"]) == ("#ff0000", "Server-side Error", "An HTTP 500"), att
assert [(f["title"], f["value"]) for f in att["fields"][:-1]] == [
    ("Service", "orders"), ("Count", "3"), ("Ok", "true"), ("Path", "/api/v1/x")], att["fields"]
assert [k for k in hooks[1]["attachments"][0]] == ["text", "fields"], hooks[1]
assert hooks[0]["attachments"][0]["text"] == "text", hooks[0]
forms = [base64.b64decode(r["body_b64"]).decode() for r in reqs if r["path"].endswith("getUploadURLExternal")]
assert forms[:2] == ["filename=capture.pcap&length=768", "filename=data.json&length=%d" % len(open(data + "/tmp/data.json", "rb").read())], forms
assert open(d + "/upload-F00001", "rb").read() == open(data + "/pcaps/x.pcap", "rb").read()
assert open(d + "/upload-F00002", "rb").read() == open(data + "/tmp/data.json", "rb").read()
share = [body(r) for r in reqs if r["path"].endswith("completeUploadExternal")][0]
assert share == {"files": [{"id": "F00001", "title": "capture.pcap"}, {"id": "F00002", "title": "data.json"}], "channel_id": "C0123"}, share
PY
assert_eq "POST /services/T000
POST /services/T000
POST /services/T999
POST /services/T000
POST /api/files.getUploadURLExternal
POST /upload/…
POST /api/files.getUploadURLExternal
POST /upload/…
POST /api/chat.postMessage
POST /api/files.completeUploadExternal
POST /api/chat.postMessage
POST /api/chat.postMessage
POST /api/chat.postMessage
POST /api/chat.postMessage
POST /api/chat.postMessage
POST /api/chat.postMessage
POST /api/chat.postMessage
POST /api/files.getUploadURLExternal
POST /upload/…
POST /api/chat.postMessage
POST /api/files.completeUploadExternal" "$(cat "$T/seen")" "the requests the Slack stand-in received"
uploads=$(sed -n 's/.*"path": "\/upload\/v1\/\([0-9a-f]*\)".*/\1/p' "$T/slack/requests.jsonl")
[ -n "$uploads" ] || fail "no upload URL secret found in the requests"
# shellcheck disable=SC2086 # one word per pre-signed URL secret
vendor_no_secrets "$TOKEN" "$HOOK_SECRET" $uploads

# The examples: the Slack alert on HTTP 500 and the bot alert with the
# stream's PCAP and the item as JSON, over the bundled items.
ex=$WH_TOP_SRCDIR/scripts/examples
printf '%s\n' "$TOKEN" > "$T/slack-token"
rm -rf "$T/data" && mkdir -p "$T/data/pcaps"
streams=$("$PYTHON3" - "$ex/items.jsonl" "$T/data/pcaps" <<'PY'
import json, struct, sys
for line in open(sys.argv[1]):
    i = json.loads(line)
    if i["protocol"]["name"] == "http" and i["response"].get("status") == 500:
        with open(sys.argv[2] + "/" + i["stream"], "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
            f.write(struct.pack("<IIII", 1700000000, 5, 4, 4) + b"\x00\xff\x10\x20")
        print(i["stream"])
PY
)
[ -n "$streams" ] || fail "the bundled items have no HTTP 500"
vendor_start ex slack --token "$TOKEN"
eport=$VENDOR_PORT
cfg=$(printf '[plugin.slack]\napi_base = http://127.0.0.1:%s/api/\n[scripting.env]\nSLACK_WEBHOOK = http://127.0.0.1:%s/services/T000/B000/%s\nSLACK_AUTH_TOKEN_FILE = %s\nSLACK_CHANNEL_ID = C0123\n' \
  "$eport" "$eport" "$HOOK_SECRET" "$T/slack-token" | wh_config)
rc=0
wh replay "$ex/items.jsonl" -c "$cfg" -s "$ex/slack-500.js" -s "$ex/slackbot-500.js" \
  > "$T/examples.out" 2> "$T/examples.err" || rc=$?
assert_eq 0 "$rc" "the Slack examples: exit status ($(vendor_stderr "$T/examples.err"))"
assert_eq "" "$(vendor_stderr "$T/examples.err")" "the Slack examples: stderr"
n500=$(printf '%s\n' "$streams" | wc -l | tr -d ' ')
assert_eq "$n500" "$(grep -c '^\[slackbot-500.js\] Message sent to Slack channel: C0123$' "$T/examples.out")" "one bot message per 500"
assert_eq "$n500" "$(grep -c '^\[slackbot-500.js\] Shared file: data.json to Slack channel: C0123$' "$T/examples.out")" "data.json shared"
assert_eq "pcaps" "$(ls "$T/data")" "the example deleted its temporary JSON file"
"$PYTHON3" - "$T/ex" "$ex/items.jsonl" "$T/data/pcaps" <<'PY' || fail "the examples' requests are not as expected"
import base64, json, os, sys
d, items, pcaps = sys.argv[1:4]
reqs = [json.loads(l) for l in open(d + "/requests.jsonl")]
errs = [json.loads(l) for l in open(items)]
errs = [i for i in errs if i["protocol"]["name"] == "http" and i["response"].get("status") == 500]
hooks = [json.loads(base64.b64decode(r["body_b64"])) for r in reqs if r["path"].startswith("/services/")]
assert len(hooks) == len(errs), hooks
for h, i in zip(hooks, errs):
    a = h["attachments"][0]
    assert a["color"] == "#ff0000" and a["pretext"] == "Server-side Error", a
    assert json.loads(a["text"]) == i, "the text is the item as JSON"
posts = [json.loads(base64.b64decode(r["body_b64"])) for r in reqs if r["path"] == "/api/chat.postMessage"]
for p, i in zip(posts, errs):
    f = [(x["title"], x["value"]) for x in p["attachments"][0]["fields"][:-1]]
    want = [("Service", i["dst"]["name"]), ("Namespace", i["namespace"]), ("Node", i["node"]["name"]),
            ("HTTP method", i["request"]["method"]), ("HTTP path", i["request"]["path"])]
    assert f == want, (f, want)
    assert p["attachments"][0]["text"] == "An HTTP request resulted with 500 status code:"
ups = sorted(x for x in os.listdir(d) if x.startswith("upload-"))
assert len(ups) == 2 * len(errs), ups
for k, i in enumerate(errs):
    assert open(d + "/" + ups[2 * k], "rb").read() == open(pcaps + "/" + i["stream"], "rb").read()
    assert json.loads(open(d + "/" + ups[2 * k + 1], "rb").read()) == i
PY
vendor_check ex
vendor_no_secrets "$TOKEN" "$HOOK_SECRET"
