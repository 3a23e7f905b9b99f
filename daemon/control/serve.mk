# The script thread's answers to control requests (status, jobs, scripts,
# a query's matches).
libwhcore_la_SOURCES += \
	daemon/control/serve.c daemon/control/serve.h \
	daemon/control/serve_jobs.c \
	daemon/control/serve_scripts.c \
	daemon/control/serve_status.c
libwhcore_la_CPPFLAGS += -I$(top_srcdir)/plugins/kfl

# Reloads: unchanged, changed, refused (syntax, throw), removed, added.
check_PROGRAMS += tests/unit/test_vm_reload
TESTS += tests/unit/test_vm_reload
tests_unit_test_vm_reload_SOURCES = tests/unit/test_vm_reload.c tests/unit/check.h
tests_unit_test_vm_reload_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
tests_unit_test_vm_reload_LDADD = libwhcore.la
