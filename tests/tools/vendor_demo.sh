#!/bin/sh
# Runs one of the vendor examples of scripts/examples through wirehook
# against its local stand-in (tests/tools/vendor_server.py) and prints
# what the stand-in received.  Everything stays on 127.0.0.1.
#
# usage: tests/tools/vendor_demo.sh EXAMPLE [BUILD_DIR]
#   EXAMPLE    slack-500 | slackbot-500 | influxdb-job | elastic-job
#   BUILD_DIR  where wirehook was built (default: build)
#
# slack-500 and slackbot-500 replay scripts/examples/items.jsonl (the
# stream PCAPs the bot attaches are made up); the two jobs run in
# `wirehook run` with a one-second cron for three seconds.  elastic-job
# reaches a TLS stand-in through a Cloud ID, with a CA made by openssl.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
example=${1:?usage: vendor_demo.sh slack-500|slackbot-500|influxdb-job|elastic-job [BUILD_DIR]}
build=$(cd "${2:-$top/build}" && pwd)
py=/usr/bin/python3
W=$(mktemp -d "${TMPDIR:-/tmp}/wirehook-demo.XXXXXX")
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$W"' EXIT
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

mkdir -p "$W/plugins" "$W/data/pcaps" "$W/srv"
ln -s "$build"/plugins/*/.libs/*.so "$W/plugins/"
token=xoxb-demo-token
serve() {
  "$py" "$top/tests/tools/vendor_server.py" "$@" --dir "$W/srv" \
    > "$W/srv/stdout" 2> "$W/srv/stderr" &
  pid=$!
  while [ ! -s "$W/srv/port" ]; do sleep 0.05; done
  port=$(cat "$W/srv/port")
}
config() {
  printf '[storage]\ndir = %s\n[plugins]\ndir = %s\n' "$W/data" "$W/plugins"
  cat
}

case $example in
slack-500 | slackbot-500)
  serve slack --token "$token"
  printf '%s\n' "$token" > "$W/token"
  "$py" - "$top/scripts/examples/items.jsonl" "$W/data/pcaps" <<'PY'
import json, struct, sys
for line in open(sys.argv[1]):
    i = json.loads(line)
    if i["protocol"]["name"] == "http":
        with open(sys.argv[2] + "/" + i["stream"], "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
PY
  config > "$W/wirehook.ini" <<INI
[plugin.slack]
api_base = http://127.0.0.1:$port/api/
[scripting.env]
SLACK_WEBHOOK = http://127.0.0.1:$port/services/T000/B000/demo-secret
SLACK_AUTH_TOKEN_FILE = $W/token
SLACK_CHANNEL_ID = C0123
INI
  "$build/wirehook" replay "$top/scripts/examples/items.jsonl" -c "$W/wirehook.ini" \
    -s "$top/scripts/examples/$example.js"
  ;;
influxdb-job)
  serve influx --token "$token" --org demo
  config > "$W/wirehook.ini" <<INI
[scripting.env]
INFLUXDB_URL = http://127.0.0.1:$port
INFLUXDB_TOKEN = $token
INFLUXDB_ORGANIZATION = demo
INFLUXDB_BUCKET = wirehook
INFLUXDB_CRON = */1 * * * * *
INI
  "$build/wirehook" run -c "$W/wirehook.ini" -s "$top/scripts/examples/influxdb-job.js" &
  sleep 3
  kill -TERM $! && wait $!
  ;;
elastic-job)
  key=demo-id:demo-api-key
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$W/key.pem" -out "$W/cert.pem" -days 1 -subj /CN=localhost \
    -addext "subjectAltName=DNS:deployment.localhost" 2> /dev/null
  serve elastic --tls "$W/cert.pem" "$W/key.pem" \
    --auth "ApiKey $(printf '%s' "$key" | base64 -w0)"
  config > "$W/wirehook.ini" <<INI
[plugin.elastic]
ca_file = $W/cert.pem
[scripting.env]
ELASTIC_INDEX = wirehook
ELASTIC_CLOUD_ID = demo:$(printf 'localhost:%s$deployment$kibana' "$port" | base64 -w0)
ELASTIC_API_KEY = $key
ELASTIC_CRON = */1 * * * * *
INI
  "$build/wirehook" run -c "$W/wirehook.ini" -s "$top/scripts/examples/elastic-job.js" &
  sleep 3
  kill -TERM $! && wait $!
  ;;
*)
  echo "vendor_demo.sh: unknown example $example" >&2
  exit 2
  ;;
esac

echo "--- the stand-in received:"
"$py" - "$W/srv/requests.jsonl" <<'PY'
import base64, json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    body = base64.b64decode(r["body_b64"])
    text = body.decode("utf-8", "replace") if not r["path"].startswith("/upload/") \
        else "<%d bytes>" % len(body)
    print(r["method"], r["target"][:80])
    print("   ", text[:300])
PY
if [ -s "$W/srv/violations.jsonl" ]; then
  echo "--- the stand-in refused:" >&2
  cat "$W/srv/violations.jsonl" >&2
  exit 1
fi
