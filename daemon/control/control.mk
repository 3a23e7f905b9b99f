# The control thread: socket, clients, console backlog, query workers.
libwhcore_la_CPPFLAGS += -I$(top_srcdir)/plugins/kfl
libwhcore_la_SOURCES += \
	daemon/control/control.h daemon/control/control_internal.h \
	daemon/control/control.c \
	daemon/control/conn.c daemon/control/conn.h \
	daemon/control/console_ring.c daemon/control/console_ring.h \
	daemon/control/mailbox.c daemon/control/mailbox.h \
	daemon/control/reply.c \
	daemon/control/dispatch.c \
	daemon/control/subscribe.c \
	daemon/control/query_worker.c \
	daemon/control/server.c \
	daemon/control/loop.c \
	daemon/control/signals.c \
	daemon/control/watch.c

# Round trips, malformed lines, the line cap, 1,000 clients, console
# backlog and slow subscribers, timeouts and output caps, queries against
# a real item store, the socket file, signals and the script watch.
check_PROGRAMS += tests/unit/test_control
TESTS += tests/unit/test_control
tests_unit_test_control_SOURCES = tests/unit/test_control.c \
	tests/unit/check.h
tests_unit_test_control_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
tests_unit_test_control_LDADD = libwhcore.la
