# The client side of the control socket: console, query, jobs, scripts
# reload, status.
libwhcore_la_SOURCES += \
	daemon/control/client.c daemon/control/client.h \
	daemon/cli_control.c daemon/cli_control.h daemon/cli_control_internal.h \
	daemon/cli_control_console.c \
	daemon/cli_control_query.c \
	daemon/cli_control_jobs.c \
	daemon/cli_control_status.c \
	daemon/cli_control_fmt.c \
	daemon/cli_control_table.c

# Unit test: the commands against a canned server on a temporary socket
# (rendering, options, timeouts, garbage, reconnects, terminals).
check_PROGRAMS += tests/unit/test_cli_control
TESTS += tests/unit/test_cli_control
tests_unit_test_cli_control_SOURCES = tests/unit/test_cli_control.c \
	tests/unit/check.h
tests_unit_test_cli_control_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
tests_unit_test_cli_control_LDADD = libwhcore.la
