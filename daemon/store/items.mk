# The item store (items/ segments) and its tests.  Included from Makefile.am.
libwhcore_la_SOURCES += \
	daemon/store/item_store.c daemon/store/item_store.h \
	daemon/store/item_segments.c daemon/store/item_segments.h \
	daemon/store/item_scan.c \
	daemon/store/item_line.c daemon/store/item_line.h

# The line encoder against json_dumps, order across rotation and read
# chunks, earlier runs' segments, retention
# by size and age, since, unflushed and partial lines, corrupt segments,
# short writes, read-only use, and a reader racing the writer.
check_PROGRAMS += tests/unit/test_item_store
TESTS += tests/unit/test_item_store
tests_unit_test_item_store_SOURCES = tests/unit/test_item_store.c \
	tests/unit/check.h tests/unit/store_files.h
tests_unit_test_item_store_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
tests_unit_test_item_store_LDADD = libwhcore.la -lpthread

# gen_items fills a store with realistic items and times scans of it; the
# query benchmarks use it, so it is built with everything else (automake
# wants EXTRA_PROGRAMS set once, in tests/bench/local.mk).  Run by hand:
#   tests/bench/item_scan.sh build
noinst_PROGRAMS += tests/bench/gen_items
tests_bench_gen_items_SOURCES = tests/bench/gen_items.c
tests_bench_gen_items_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
tests_bench_gen_items_LDADD = libwhcore.la
EXTRA_DIST += tests/bench/item_scan.sh
