# The `slack` plugin: vendor.slack and vendor.slackBot (vendors.md §2,
# §3), on the shared HTTP layer of plugins/common.
if BUILD_PLUGIN_SLACK
plugin_LTLIBRARIES += plugins/slack/slack.la
plugins_slack_slack_la_SOURCES = \
	plugins/slack/slack.h \
	plugins/slack/plugin.c \
	plugins/slack/attachment.c \
	plugins/slack/web_api.c \
	plugins/slack/upload.c \
	plugins/slack/helpers.c
plugins_slack_slack_la_CPPFLAGS = $(VENDOR_HTTP_CPPFLAGS)
plugins_slack_slack_la_LDFLAGS = $(WH_MODULE_FLAGS)
plugins_slack_slack_la_LIBADD = $(VENDOR_HTTP_LIBS)
endif
