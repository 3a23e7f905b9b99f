# Unit test of the confined path resolver (daemon/datadir.c), run with
# openat2 and with its fallback walk.
check_PROGRAMS += tests/unit/test_datadir
TESTS += tests/unit/test_datadir
tests_unit_test_datadir_SOURCES = tests/unit/test_datadir.c tests/unit/check.h \
	daemon/datadir.c daemon/datadir.h daemon/datadir_internal.h
tests_unit_test_datadir_CPPFLAGS = $(AM_CPPFLAGS)
