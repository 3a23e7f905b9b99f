# Tests of the vendor plugins (plugins/common, webhook, slack, influxdb,
# elastic): a unit test of their pure parts, and integration tests of the
# helpers through the daemon against strict local stand-ins
# (tests/tools/vendor_server.py) and a real InfluxDB.  Included from
# tests/local.mk.
if BUILD_PLUGIN_WEBHOOK
TESTS += tests/integration/vendor_webhook.sh
endif
if BUILD_PLUGIN_SLACK
TESTS += tests/integration/vendor_slack.sh
endif
if BUILD_PLUGIN_INFLUXDB
TESTS += tests/integration/vendor_influxdb.sh
if BUILD_PLUGIN_ELASTIC
check_PROGRAMS += tests/unit/test_http_common
TESTS += tests/unit/test_http_common
tests_unit_test_http_common_SOURCES = tests/unit/test_http_common.c \
	tests/unit/check.h $(INFLUXDB_LP_SOURCES) $(ELASTIC_ENDPOINT_SOURCES) \
	plugins/elastic/pin.c
tests_unit_test_http_common_CPPFLAGS = $(VENDOR_HTTP_CPPFLAGS) \
	-I$(top_srcdir)/plugins/influxdb -I$(top_srcdir)/plugins/elastic \
	-I$(top_srcdir)/tests/unit $(LIBSSL_CFLAGS) $(OPENSSL_CFLAGS)
tests_unit_test_http_common_LDADD = $(VENDOR_HTTP_LIBS) $(LIBSSL_LIBS) \
	$(OPENSSL_LIBS)
if BUILD_PLUGIN_WEBHOOK
if BUILD_PLUGIN_SLACK
TESTS += tests/integration/vendor_faults.sh tests/integration/vendor_examples.sh
endif
endif
endif
endif
if BUILD_PLUGIN_ELASTIC
TESTS += tests/integration/vendor_elastic.sh
endif
EXTRA_DIST += \
	tests/integration/vendor_webhook.sh \
	tests/integration/vendor_slack.sh \
	tests/integration/vendor_influxdb.sh \
	tests/integration/vendor_elastic.sh \
	tests/integration/vendor_faults.sh \
	tests/integration/vendor_examples.sh \
	tests/unit/test_http_common.c \
	tests/tools/vendor_server.py \
	tests/tools/vendor_lib.sh \
	tests/tools/vendor_influx_check.py \
	tests/tools/vendor_demo.sh \
	doc/vendors.md
