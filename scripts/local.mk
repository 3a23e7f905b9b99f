# Example hook scripts, shipped with the package.
examplesdir = $(pkgdatadir)/examples
dist_examples_DATA = \
	scripts/examples/console-items.js \
	scripts/examples/mark-500.js \
	scripts/examples/env-debug.js \
	scripts/examples/file-report.js
EXTRA_DIST += scripts/examples/items.jsonl
dist_examples_DATA += scripts/examples/items.jsonl
