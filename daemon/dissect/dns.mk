# DNS dissector (item-model.md §8) and its unit test.  The test reads
# messages made by tests/tools/gen_dns_msgs.py (dnspython) when present.
libwhcore_la_SOURCES += \
	daemon/dissect/dns.c daemon/dissect/dns.h daemon/dissect/dns_int.h \
	daemon/dissect/dns_name.c \
	daemon/dissect/dns_mnemonic.c \
	daemon/dissect/dns_text.c \
	daemon/dissect/dns_rdata.c \
	daemon/dissect/dns_svcb.c \
	daemon/dissect/dns_rr.c \
	daemon/dissect/dns_json.c \
	daemon/dissect/dns_learn.c \
	daemon/dissect/dns_conn.c

check_PROGRAMS += tests/unit/test_dns
TESTS += tests/unit/test_dns
tests_unit_test_dns_SOURCES = tests/unit/test_dns.c tests/unit/check.h
tests_unit_test_dns_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
tests_unit_test_dns_LDADD = libwhcore.la
EXTRA_DIST += tests/tools/gen_dns_msgs.py tests/tools/gen_fuzz_seeds_dns.py \
	tests/fuzz/fuzz_dns.c
