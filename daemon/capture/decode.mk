# decode: link layers, IPv4/IPv6 with fragment reassembly, TCP/UDP
# headers (daemon/capture/decode.c, frag.c) and address helpers (addr.c).
libwhcore_la_SOURCES += \
	daemon/capture/decode.c daemon/capture/decode.h \
	daemon/capture/frag.c daemon/capture/frag.h \
	daemon/capture/addr.c daemon/capture/packet.h

# Unit test: hand-built frames for every link type and malformed case,
# fragment reassembly, and a cross-check against frames scapy builds
# (tests/tools/gen_frames.py; skipped parts say so when scapy is absent).
check_PROGRAMS += tests/unit/test_decode
TESTS += tests/unit/test_decode
tests_unit_test_decode_SOURCES = tests/unit/test_decode.c tests/unit/check.h
tests_unit_test_decode_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
tests_unit_test_decode_LDADD = libwhcore.la
EXTRA_DIST += tests/tools/gen_frames.py tests/tools/gen_fuzz_seeds_decode.py \
	tests/fuzz/fuzz_decode.c
