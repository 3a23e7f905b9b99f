# The `elastic` plugin: vendor.elastic (vendors.md §5), on the shared
# HTTP layer of plugins/common, with OpenSSL for fingerprint pinning.
ELASTIC_ENDPOINT_SOURCES = \
	plugins/elastic/endpoint.c
if BUILD_PLUGIN_ELASTIC
plugin_LTLIBRARIES += plugins/elastic/elastic.la
plugins_elastic_elastic_la_SOURCES = $(ELASTIC_ENDPOINT_SOURCES) \
	plugins/elastic/elastic.h \
	plugins/elastic/plugin.c \
	plugins/elastic/auth.c \
	plugins/elastic/pin.c \
	plugins/elastic/index.c
plugins_elastic_elastic_la_CPPFLAGS = $(VENDOR_HTTP_CPPFLAGS) $(LIBSSL_CFLAGS) $(OPENSSL_CFLAGS)
plugins_elastic_elastic_la_LDFLAGS = $(WH_MODULE_FLAGS)
plugins_elastic_elastic_la_LIBADD = $(VENDOR_HTTP_LIBS) $(LIBSSL_LIBS) $(OPENSSL_LIBS)
endif
