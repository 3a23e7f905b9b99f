# The `file` plugin: file.* helpers confined to the data directory
# (runtime spec §8.2).  Built only from the SDK header, jansson and
# libarchive; it never links against the daemon.
if BUILD_PLUGIN_FILE
plugin_LTLIBRARIES += plugins/file/file.la
plugins_file_file_la_SOURCES = \
	plugins/file/file_plugin.h \
	plugins/file/plugin.c \
	plugins/file/errors.c \
	plugins/file/paths.c \
	plugins/file/fdio.c \
	plugins/file/dirlist.c \
	plugins/file/write.c \
	plugins/file/copy.c \
	plugins/file/delete.c \
	plugins/file/mkdir.c \
	plugins/file/temp.c \
	plugins/file/tar.c
plugins_file_file_la_CPPFLAGS = -I$(top_srcdir)/sdk $(JANSSON_CFLAGS) $(LIBARCHIVE_CFLAGS)
plugins_file_file_la_LDFLAGS = $(WH_MODULE_FLAGS)
plugins_file_file_la_LIBADD = $(JANSSON_LIBS) $(LIBARCHIVE_LIBS)
TESTS += \
	tests/integration/file_ops.sh \
	tests/integration/file_temp.sh \
	tests/integration/file_tar.sh \
	tests/integration/file_escape.sh \
	tests/integration/file_move_xdev.sh
endif
EXTRA_DIST += \
	tests/integration/file_ops.sh \
	tests/integration/file_temp.sh \
	tests/integration/file_tar.sh \
	tests/integration/file_escape.sh \
	tests/integration/file_move_xdev.sh
