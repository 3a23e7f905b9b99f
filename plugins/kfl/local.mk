# The `kfl` plugin: the KFL filter language (doc/kfl.md), kfl.match /
# kfl.validate (runtime spec §8.5) and the "kfl.filter" service.  Built
# only from the SDK header, jansson and PCRE2.
KFL_ENGINE_SOURCES = \
	plugins/kfl/kfl.h \
	plugins/kfl/kfl_int.h \
	plugins/kfl/kfl_lex.c \
	plugins/kfl/kfl_macro.c \
	plugins/kfl/kfl_parse.c \
	plugins/kfl/kfl_query.c \
	plugins/kfl/kfl_eval.c \
	plugins/kfl/kfl_value.c \
	plugins/kfl/kfl_regex.c \
	plugins/kfl/kfl_helpers.c \
	plugins/kfl/kfl_xml.c \
	plugins/kfl/kfl_redact.c \
	plugins/kfl/kfl_needles.c \
	plugins/kfl/kfl_cache.c
if BUILD_PLUGIN_KFL
plugin_LTLIBRARIES += plugins/kfl/kfl.la
plugins_kfl_kfl_la_SOURCES = $(KFL_ENGINE_SOURCES) \
	plugins/kfl/kfl_service.h \
	plugins/kfl/plugin.c
plugins_kfl_kfl_la_CPPFLAGS = -I$(top_srcdir)/sdk -I$(top_srcdir)/plugins/kfl $(JANSSON_CFLAGS) $(PCRE2_CFLAGS)
plugins_kfl_kfl_la_LDFLAGS = $(WH_MODULE_FLAGS)
plugins_kfl_kfl_la_LIBADD = $(JANSSON_LIBS) $(PCRE2_LIBS) -lm
check_PROGRAMS += tests/unit/test_kfl
TESTS += tests/unit/test_kfl tests/integration/kfl_helpers.sh
tests_unit_test_kfl_SOURCES = tests/unit/test_kfl.c $(KFL_ENGINE_SOURCES)
tests_unit_test_kfl_CPPFLAGS = -I$(top_srcdir)/sdk -I$(top_srcdir)/plugins/kfl -I$(top_srcdir)/tests/unit $(JANSSON_CFLAGS) $(PCRE2_CFLAGS)
tests_unit_test_kfl_LDADD = $(JANSSON_LIBS) $(PCRE2_LIBS) -lm
endif
EXTRA_DIST += \
	plugins/kfl/kfl.h \
	plugins/kfl/kfl_int.h \
	plugins/kfl/kfl_service.h \
	tests/integration/kfl_helpers.sh \
	tests/fuzz/fuzz_kfl.c \
	tests/tools/gen_fuzz_seeds_kfl.py \
	doc/kfl.md

# The service through the real plugin host, as the query interface uses it.
if BUILD_PLUGIN_KFL
check_PROGRAMS += tests/unit/test_kfl_service
TESTS += tests/unit/test_kfl_service
tests_unit_test_kfl_service_SOURCES = tests/unit/test_kfl_service.c
tests_unit_test_kfl_service_CPPFLAGS = $(libwhcore_la_CPPFLAGS) -I$(top_srcdir)/plugins/kfl -I$(top_srcdir)/tests/unit
tests_unit_test_kfl_service_LDADD = libwhcore.la
EXTRA_tests_unit_test_kfl_service_DEPENDENCIES = plugins/kfl/kfl.la
endif
