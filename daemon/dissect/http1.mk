# HTTP/1.x dissector (daemon/dissect/http1*.c): start lines and headers,
# body framing and content decoding, request/response pairing, and the
# item objects of item-model.md §5-§7.
libwhcore_la_SOURCES += \
	daemon/dissect/http1.c daemon/dissect/http1.h \
	daemon/dissect/http1_internal.h \
	daemon/dissect/http1_parse.c \
	daemon/dissect/http1_body.c \
	daemon/dissect/http1_decode.c \
	daemon/dissect/http1_json.c \
	daemon/dissect/http1_form.c \
	daemon/dissect/http1_text.c \
	daemon/dissect/http1_status.c

check_PROGRAMS += tests/unit/test_http1
TESTS += tests/unit/test_http1
tests_unit_test_http1_SOURCES = tests/unit/test_http1.c tests/unit/check.h
tests_unit_test_http1_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
tests_unit_test_http1_LDADD = libwhcore.la

EXTRA_DIST += tests/fuzz/fuzz_http1.c tests/tools/gen_fuzz_seeds_http1.py
