#!/bin/sh
# The documented way to try the vendor examples (doc/vendors.md):
# tests/tools/vendor_demo.sh runs each of scripts/examples/slack-500.js,
# slackbot-500.js, influxdb-job.js and elastic-job.js through this
# build's wirehook against its stand-in, which refuses anything the spec
# does not allow (the demo then fails).
. "$WH_TOP_SRCDIR/tests/lib.sh"

demo() {
  rc=0
  TMPDIR=$T sh "$WH_TOP_SRCDIR/tests/tools/vendor_demo.sh" "$1" "$WH_TOP_BUILDDIR" \
    > "$T/$1.out" 2>&1 || rc=$?
  assert_eq 0 "$rc" "vendor_demo.sh $1 ($(tail -n 5 "$T/$1.out"))"
  assert_contains "$(cat "$T/$1.out")" "$2" "vendor_demo.sh $1"
}
demo slack-500 "POST /services/T000/B000/demo-secret"
demo slackbot-500 "POST /api/files.completeUploadExternal"
demo influxdb-job "[influxdb-job.js] Wrote 1 point to InfluxDB bucket: wirehook"
demo elastic-job "[elastic-job.js] Indexed document "
