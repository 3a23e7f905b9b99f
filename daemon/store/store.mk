# Per-stream PCAP store, pcap merge (pcap.snapshot), name resolution with
# history, and the pcap.* script helpers; with their unit tests.
libwhcore_la_SOURCES += \
	daemon/store/pcap_store.c daemon/store/pcap_store.h \
	daemon/store/fifo_array.h \
	daemon/store/pcap_merge.c daemon/store/pcap_merge.h \
	daemon/resolve.c daemon/resolve.h \
	daemon/helpers/pcap.c

# File format (checked with tcpdump when installed), the writer cache's
# descriptor cap, retention by size and age, a previous run's files.
check_PROGRAMS += tests/unit/test_pcap_store
TESTS += tests/unit/test_pcap_store
tests_unit_test_pcap_store_SOURCES = tests/unit/test_pcap_store.c \
	tests/unit/check.h tests/unit/store_files.h
tests_unit_test_pcap_store_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
tests_unit_test_pcap_store_LDADD = libwhcore.la

# Lookups at past times, history keys, caps, the hosts file and its errors.
check_PROGRAMS += tests/unit/test_resolve
TESTS += tests/unit/test_resolve
tests_unit_test_resolve_SOURCES = tests/unit/test_resolve.c tests/unit/check.h
tests_unit_test_resolve_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
tests_unit_test_resolve_LDADD = libwhcore.la

# Merge order, byte orders, ns precision, skipped inputs, many inputs
# (checked with tcpdump and tshark when installed).
check_PROGRAMS += tests/unit/test_pcap_merge
TESTS += tests/unit/test_pcap_merge
tests_unit_test_pcap_merge_SOURCES = tests/unit/test_pcap_merge.c \
	tests/unit/check.h
tests_unit_test_pcap_merge_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
tests_unit_test_pcap_merge_LDADD = libwhcore.la
