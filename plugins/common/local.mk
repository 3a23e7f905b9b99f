# The HTTP layer of the curl-based plugins (plugins/webhook, slack,
# influxdb, elastic): a libtool convenience library linked into each of
# them.  It is not part of the core, and with --disable-cloud it is not
# built at all, so nothing links libcurl.
VENDOR_HTTP_CPPFLAGS = -I$(top_srcdir)/sdk -I$(top_srcdir)/plugins/common \
	$(JANSSON_CFLAGS) $(LIBCURL_CFLAGS)
VENDOR_HTTP_LIBS = plugins/common/libvendorhttp.la $(LIBCURL_LIBS) \
	$(JANSSON_LIBS) -lm
if BUILD_VENDOR_HTTP
noinst_LTLIBRARIES += plugins/common/libvendorhttp.la
plugins_common_libvendorhttp_la_SOURCES = \
	plugins/common/vendor_http.h \
	plugins/common/transfer.h \
	plugins/common/buf.c \
	plugins/common/options.c \
	plugins/common/call.c \
	plugins/common/url.c \
	plugins/common/base64.c \
	plugins/common/text.c \
	plugins/common/transfer.c \
	plugins/common/request.c
plugins_common_libvendorhttp_la_CPPFLAGS = $(VENDOR_HTTP_CPPFLAGS)
endif
