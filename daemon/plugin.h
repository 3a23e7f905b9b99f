/* Plugin host: finds plugins with libltdl, checks their ABI, runs their
 * init, and keeps the registry of functions they register under dotted
 * paths.  Implements the wh_api table of sdk/wirehook/plugin.h. */
#ifndef WH_PLUGIN_HOST_H
#define WH_PLUGIN_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "wirehook/plugin.h"

typedef struct wh_config wh_config;
typedef struct plugin_host plugin_host;
typedef struct loaded_plugin loaded_plugin;

#define PLUGIN_MAX_PARAMS 12

typedef struct plugin_param {
  char name[32];
  char kind; /* s S b j J n, see wh_fn_spec */
} plugin_param;

/* One registered function, or a stub for a known helper whose plugin is
 * not loaded (owner == NULL; calling it throws "plugin ... is not
 * available"). */
typedef struct plugin_fn {
  char *path; /* "file.write" */
  wh_fn fn;
  void *udata;
  const char *doc;
  plugin_param params[PLUGIN_MAX_PARAMS];
  size_t n_params;
  loaded_plugin *owner;
  const char *plugin_name; /* the plugin that provides it */
} plugin_fn;

/* The host side of one call (the opaque wh_call of the SDK). */
struct wh_call {
  const plugin_fn *fn;
  int error_kind;     /* 0 none, 1 TypeError, 2 Error */
  char message[1024]; /* "<path>: <text>" when error_kind != 0 */
  /* Console of the calling script. */
  void (*console)(void *ctx, bool is_error, const char *text);
  void *console_ctx;
};

/* Information for `wirehook plugins`. */
typedef struct plugin_desc {
  const char *name, *version, *description, *file;
  const char *error; /* NULL when loaded, else why it was refused */
} plugin_desc;

plugin_host *plugin_host_new(const wh_config *cfg, const char *data_dir,
                             const char *node_name, const char *node_ip,
                             const char *run_id);
/* Loads the plugins of [plugins] dir (or those of `load`).  Each refusal is
 * logged in one line naming the file; returns the number of refusals. */
int plugin_host_load(plugin_host *h);
/* Loads one plugin file (used by load and the tests). Returns 0 or -1. */
int plugin_host_load_file(plugin_host *h, const char *path);
void plugin_host_free(plugin_host *h);

size_t plugin_host_fn_count(const plugin_host *h);
const plugin_fn *plugin_host_fn_at(const plugin_host *h, size_t i);

size_t plugin_host_plugin_count(const plugin_host *h);
plugin_desc plugin_host_plugin_at(const plugin_host *h, size_t i);
/* The functions provided by plugin i, in registration order. */
bool plugin_fn_of(const plugin_fn *fn, const plugin_host *h, size_t i);

/* Finds a registered service by name; NULL if none. */
const void *plugin_host_service(const plugin_host *h, const char *name,
                                size_t *iface_size);

/* Parses a params string into fn; returns 0 or -1 with err filled. */
int plugin_parse_params(plugin_fn *fn, const char *params, char *err,
                        size_t errcap);

#endif
