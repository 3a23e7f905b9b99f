# The `influxdb` plugin: vendor.influxdb (vendors.md §4), on the shared
# HTTP layer of plugins/common.
INFLUXDB_LP_SOURCES = \
	plugins/influxdb/line_protocol.h \
	plugins/influxdb/line_protocol.c
if BUILD_PLUGIN_INFLUXDB
plugin_LTLIBRARIES += plugins/influxdb/influxdb.la
plugins_influxdb_influxdb_la_SOURCES = $(INFLUXDB_LP_SOURCES) \
	plugins/influxdb/influxdb.h \
	plugins/influxdb/plugin.c \
	plugins/influxdb/write.c
plugins_influxdb_influxdb_la_CPPFLAGS = $(VENDOR_HTTP_CPPFLAGS)
plugins_influxdb_influxdb_la_LDFLAGS = $(WH_MODULE_FLAGS)
plugins_influxdb_influxdb_la_LIBADD = $(VENDOR_HTTP_LIBS)
endif
