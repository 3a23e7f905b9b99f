# Tests: unit tests are C programs, integration tests are shell scripts
# that run the real binary.  Every test reads its paths from the
# environment below; tests/lib.sh holds the shared shell helpers.
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = $(SHELL)
AM_TESTS_ENVIRONMENT = \
	WH_TOP_SRCDIR='$(abs_top_srcdir)'; export WH_TOP_SRCDIR; \
	WH_TOP_BUILDDIR='$(abs_top_builddir)'; export WH_TOP_BUILDDIR; \
	WH_BIN='$(abs_top_builddir)/wirehook'; export WH_BIN; \
	WH_VALGRIND='$(WH_VALGRIND)'; export WH_VALGRIND; \
	PYTHON3='$(PYTHON3)'; export PYTHON3;
EXTRA_DIST += tests/lib.sh

include $(srcdir)/tests/unit/local.mk
include $(srcdir)/tests/unit/cfg.mk
include $(srcdir)/tests/unit/datadir.mk
include $(srcdir)/tests/integration/local.mk
