# flow: the flow table and TCP reassembly (daemon/capture/flow.c,
# tcp_reasm.c).
libwhcore_la_SOURCES += \
	daemon/capture/flow.c daemon/capture/flow.h \
	daemon/capture/tcp_reasm.c daemon/capture/tcp_reasm.h

# Unit test: hand-built packets, exact byte streams and callbacks for
# reordering, retransmission, overlaps, gaps, wraparound, caps and expiry.
check_PROGRAMS += tests/unit/test_flow
TESTS += tests/unit/test_flow
tests_unit_test_flow_SOURCES = tests/unit/test_flow.c tests/unit/check.h
tests_unit_test_flow_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
tests_unit_test_flow_LDADD = libwhcore.la
EXTRA_DIST += tests/fuzz/fuzz_flow.c tests/tools/gen_fuzz_seeds_flow.py
