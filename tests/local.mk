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
include $(srcdir)/tests/integration/plugin.mk
include $(srcdir)/tests/integration/vendor.mk
include $(srcdir)/tests/integration/more.mk
include $(srcdir)/tests/integration/capture.mk
include $(srcdir)/tests/integration/capture2.mk
include $(srcdir)/tests/integration/control.mk

# Unit tests run under valgrind too when WH_VALGRIND=1 (check-valgrind).
LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/valgrind-wrap.sh
EXTRA_DIST += tests/valgrind-wrap.sh

# The suite again, with every wirehook process and unit test under
# valgrind; the build tests are left out (they run no wirehook code).
check-valgrind:
	$(MAKE) $(AM_MAKEFLAGS) check WH_VALGRIND=1 \
	  TESTS="$(filter-out tests/integration/build_%,$(TESTS))"
.PHONY: check-valgrind
include $(srcdir)/tests/bench/local.mk
