# The cron parser of the job system (runtime.md §8.4), its unit test, the
# croniter differential test and its driver.
libwhcore_la_SOURCES += daemon/jobs/cron.c daemon/jobs/cron.h

check_PROGRAMS += tests/unit/test_cron tests/unit/cron_next
TESTS += tests/unit/test_cron tests/integration/cron_croniter.sh
tests_unit_test_cron_SOURCES = tests/unit/test_cron.c tests/unit/check.h
tests_unit_test_cron_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
tests_unit_test_cron_LDADD = libwhcore.la
tests_unit_cron_next_SOURCES = tests/unit/cron_next.c
tests_unit_cron_next_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
tests_unit_cron_next_LDADD = libwhcore.la
EXTRA_DIST += tests/integration/cron_croniter.sh tests/fuzz/fuzz_cron.c \
	tests/tools/gen_fuzz_seeds_cron.py
