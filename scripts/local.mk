# Example hook scripts, shipped with the package.
examplesdir = $(pkgdatadir)/examples
dist_examples_DATA = \
	scripts/examples/env-and-console.js \
	scripts/examples/mark-500.js \
	scripts/examples/file-report.js
dist_examples_DATA += scripts/examples/items.jsonl
# The vendor helpers' examples (doc/vendors.md says how to run them).
dist_examples_DATA += \
	scripts/examples/slack-500.js \
	scripts/examples/slackbot-500.js \
	scripts/examples/influxdb-job.js \
	scripts/examples/elastic-job.js
