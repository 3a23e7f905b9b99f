# The `webhook` plugin: vendor.webhook (vendors.md §1), on the shared
# HTTP layer of plugins/common.
if BUILD_PLUGIN_WEBHOOK
plugin_LTLIBRARIES += plugins/webhook/webhook.la
plugins_webhook_webhook_la_SOURCES = \
	plugins/webhook/webhook.h \
	plugins/webhook/plugin.c \
	plugins/webhook/headers.c \
	plugins/webhook/webhook.c
plugins_webhook_webhook_la_CPPFLAGS = $(VENDOR_HTTP_CPPFLAGS)
plugins_webhook_webhook_la_LDFLAGS = $(WH_MODULE_FLAGS)
plugins_webhook_webhook_la_LIBADD = $(VENDOR_HTTP_LIBS)
endif
