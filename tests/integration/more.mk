# More integration tests: the daemon's start and stop, script and plugin
# selection, and the bundled example scripts.  Included from
# tests/local.mk.
MORE_TESTS = \
	tests/integration/run_daemon.sh \
	tests/integration/scripts_dirs.sh \
	tests/integration/examples.sh
TESTS += $(MORE_TESTS)
EXTRA_DIST += $(MORE_TESTS)
TESTS += tests/integration/jobs.sh
EXTRA_DIST += tests/integration/jobs.sh
