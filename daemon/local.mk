# duktape: copied from the distro's amalgamation at build time, with a
# config that compiles in the execution-timeout check (see DESIGN).
DUK_BUILT = duktape/duktape.c duktape/duktape.h duktape/duk_config.h
BUILT_SOURCES += $(DUK_BUILT)
CLEANFILES += $(DUK_BUILT)
EXTRA_DIST += daemon/duk_overrides.h

duktape/duktape.c: $(DUKTAPE_SRC)/duktape.c
	$(AM_V_GEN)$(MKDIR_P) duktape && cp $(DUKTAPE_SRC)/duktape.c $@.tmp && mv $@.tmp $@

duktape/duktape.h: $(DUKTAPE_SRC)/duktape.h
	$(AM_V_GEN)$(MKDIR_P) duktape && cp $(DUKTAPE_SRC)/duktape.h $@.tmp && mv $@.tmp $@

duktape/duk_config.h: $(DUKTAPE_SRC)/duk_config.h $(srcdir)/daemon/duk_overrides.h
	$(AM_V_GEN)$(MKDIR_P) duktape && \
	sed -e '/__OVERRIDE_DEFINES__/r $(srcdir)/daemon/duk_overrides.h' \
	  $(DUKTAPE_SRC)/duk_config.h > $@.tmp && mv $@.tmp $@

noinst_LTLIBRARIES += libwhduktape.la
# duk_unit.c includes duktape.c, so its one helper can reach internals.
libwhduktape_la_SOURCES = daemon/duk_unit.c daemon/duk_unit.h
EXTRA_libwhduktape_la_DEPENDENCIES = $(DUK_BUILT)
libwhduktape_la_CPPFLAGS = -I$(top_builddir)/duktape
libwhduktape_la_CFLAGS = -O2 -w
libwhduktape_la_LIBADD = $(LIBM)

# The core as a convenience library, so unit tests link the same code.
noinst_LTLIBRARIES += libwhcore.la
libwhcore_la_SOURCES = \
	daemon/log.c daemon/log.h \
	daemon/strbuf.c daemon/strbuf.h \
	daemon/cfg.c daemon/cfg.h \
	daemon/datadir.c daemon/datadir.h \
	daemon/plugin.c daemon/plugin.h \
	daemon/vm.c daemon/vm.h daemon/vm_internal.h \
	daemon/vm_convert.c \
	daemon/vm_alloc.c \
	daemon/vm_item.c \
	daemon/vm_scripts.c \
	daemon/vm_reload.c \
	daemon/helpers/console.c \
	daemon/helpers/test.c \
	daemon/helpers/env.c \
	daemon/helpers/plugin_fn.c \
	daemon/helpers/jobs.c \
	daemon/jobs/scheduler.c daemon/jobs/scheduler.h \
	daemon/replay.c daemon/replay.h \
	daemon/cli.c daemon/cli.h \
	daemon/daemon.c daemon/daemon.h \
	daemon/script_loop.c daemon/script_loop.h
libwhcore_la_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(INIH_CFLAGS) \
	$(LIBPCAP_CFLAGS) $(ZLIB_CFLAGS) \
	-DWH_PLUGINDIR='"$(plugindir)"' -DWH_SYSCONFDIR='"$(sysconfdir)"' \
	-DWH_LOCALSTATEDIR='"$(localstatedir)"'
libwhcore_la_LIBADD = libwhduktape.la $(JANSSON_LIBS) $(INIH_LIBS) $(LTDL_LIBS) \
	$(LIBPCAP_LIBS) $(ZLIB_LIBS) $(LIBM)

bin_PROGRAMS += wirehook
wirehook_SOURCES = daemon/main.c
wirehook_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
wirehook_LDADD = libwhcore.la
