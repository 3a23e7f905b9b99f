# Unit test of the confined path resolver (core/datadir.c), run with
# openat2 and with its fallback walk.
check_PROGRAMS += tests/unit/test_datadir
TESTS += tests/unit/test_datadir
tests_unit_test_datadir_SOURCES = tests/unit/test_datadir.c tests/unit/check.h \
	core/datadir.c core/datadir.h core/datadir_internal.h
tests_unit_test_datadir_CPPFLAGS = $(AM_CPPFLAGS)
