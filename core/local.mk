# duktape: copied from the distro's amalgamation at build time, with a
# config that compiles in the execution-timeout check (see DESIGN).
DUK_BUILT = duktape/duktape.c duktape/duktape.h duktape/duk_config.h
BUILT_SOURCES += $(DUK_BUILT)
CLEANFILES += $(DUK_BUILT)
EXTRA_DIST += core/duk_overrides.h

duktape/duktape.c: $(DUKTAPE_SRC)/duktape.c
	$(AM_V_GEN)$(MKDIR_P) duktape && cp $(DUKTAPE_SRC)/duktape.c $@.tmp && mv $@.tmp $@

duktape/duktape.h: $(DUKTAPE_SRC)/duktape.h
	$(AM_V_GEN)$(MKDIR_P) duktape && cp $(DUKTAPE_SRC)/duktape.h $@.tmp && mv $@.tmp $@

duktape/duk_config.h: $(DUKTAPE_SRC)/duk_config.h $(srcdir)/core/duk_overrides.h
	$(AM_V_GEN)$(MKDIR_P) duktape && \
	sed -e '/__OVERRIDE_DEFINES__/r $(srcdir)/core/duk_overrides.h' \
	  $(DUKTAPE_SRC)/duk_config.h > $@.tmp && mv $@.tmp $@

noinst_LTLIBRARIES += libwhduktape.la
nodist_libwhduktape_la_SOURCES = duktape/duktape.c
libwhduktape_la_CPPFLAGS = -I$(top_builddir)/duktape
libwhduktape_la_CFLAGS = -O2 -w
libwhduktape_la_LIBADD = $(LIBM)

# The core as a convenience library, so unit tests link the same code.
noinst_LTLIBRARIES += libwhcore.la
libwhcore_la_SOURCES = \
	core/log.c core/log.h \
	core/strbuf.c core/strbuf.h \
	core/cfg.c core/cfg.h \
	core/datadir.c core/datadir.h \
	core/plugin.c core/plugin.h \
	core/vm.c core/vm.h core/vm_internal.h \
	core/vm_convert.c \
	core/vm_item.c \
	core/vm_scripts.c \
	core/helpers/console.c \
	core/helpers/test.c \
	core/helpers/env.c \
	core/helpers/plugin_fn.c \
	core/replay.c core/replay.h \
	core/cli.c core/cli.h
libwhcore_la_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS) $(INIH_CFLAGS) \
	-DWH_PLUGINDIR='"$(plugindir)"' -DWH_SYSCONFDIR='"$(sysconfdir)"' \
	-DWH_LOCALSTATEDIR='"$(localstatedir)"'
libwhcore_la_LIBADD = libwhduktape.la $(JANSSON_LIBS) $(INIH_LIBS) $(LTDL_LIBS) $(LIBM)

bin_PROGRAMS += wirehook
wirehook_SOURCES = core/main.c
wirehook_CPPFLAGS = $(libwhcore_la_CPPFLAGS)
wirehook_LDADD = libwhcore.la
