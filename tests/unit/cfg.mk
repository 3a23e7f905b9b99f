# Unit test of the configuration loader (daemon/cfg.c).  It compiles cfg.c
# itself so WH_SYSCONFDIR can point at the test's system-wide file.
check_PROGRAMS += tests/unit/test_cfg
TESTS += tests/unit/test_cfg
tests_unit_test_cfg_SOURCES = tests/unit/test_cfg.c tests/unit/check.h \
	daemon/cfg.c daemon/cfg.h daemon/log.c daemon/log.h daemon/strbuf.c daemon/strbuf.h
tests_unit_test_cfg_CPPFLAGS = $(AM_CPPFLAGS) $(INIH_CFLAGS) \
	-DWH_PLUGINDIR='"/p"' -DWH_LOCALSTATEDIR='"/var"' \
	-DWH_SYSCONFDIR='"$(abs_top_srcdir)/tests/unit/cfg/etc"'
tests_unit_test_cfg_LDADD = $(INIH_LIBS)
EXTRA_DIST += tests/unit/cfg/etc/wirehook/wirehook.ini
