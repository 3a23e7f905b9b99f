# Benchmarks, built on demand (make bench) and run by hand.
EXTRA_PROGRAMS = tests/bench/bench_item
tests_bench_bench_item_SOURCES = tests/bench/bench_item.c
tests_bench_bench_item_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
tests_bench_bench_item_LDADD = libwhcore.la
EXTRA_DIST += tests/bench/item_hook.sh tests/bench/replay_vs_tshark.sh
CLEANFILES += $(EXTRA_PROGRAMS)
bench: $(EXTRA_PROGRAMS)
.PHONY: bench

if BUILD_PLUGIN_KFL
EXTRA_PROGRAMS += tests/bench/bench_kfl
tests_bench_bench_kfl_SOURCES = tests/bench/bench_kfl.c $(KFL_ENGINE_SOURCES)
tests_bench_bench_kfl_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/kfl $(JANSSON_CFLAGS) $(PCRE2_CFLAGS)
tests_bench_bench_kfl_LDADD = $(JANSSON_LIBS) $(PCRE2_LIBS) -lm
endif
EXTRA_DIST += tests/bench/kfl.sh
