# The installed SDK: the header and its pkg-config file.
wirehookincludedir = $(includedir)/wirehook
wirehookinclude_HEADERS = sdk/wirehook/plugin.h
pkgconfig_DATA = sdk/wirehook-plugin.pc
EXTRA_DIST += sdk/examples/hello/hello.c sdk/examples/hello/Makefile \
	sdk/examples/hello/README.md
