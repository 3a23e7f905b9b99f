/*
 * wirehook plugin SDK.
 *
 * A plugin is a libtool module (a shared object) that exports one data
 * symbol, `wirehook_plugin_info` (a `wh_plugin_info`).  The daemon opens it
 * at start-up, checks the ABI numbers, and calls `init` with a table of
 * host functions (`wh_api`).  A plugin never links against symbols of the
 * daemon: everything it needs from the host comes through that table.
 *
 * Values cross the boundary as jansson `json_t`; duktape never appears here.
 * Include <jansson.h> in the plugin to work with them.
 *
 * Ownership rules, repeated on every pointer below:
 *   - "borrowed": the callee may read it during the call only; the caller
 *     keeps ownership.
 *   - "stolen": ownership (one reference) passes to the callee.
 *   - "static": must stay valid until the plugin's `fini` returns.
 *
 * All plugin code runs on the daemon's script thread, one call at a time,
 * except `init` and `fini`, which run on the main thread at start-up and
 * shutdown.
 *
 * Compatibility: `wh_api` is append-only.  A plugin built against a newer
 * minor that wants a newer member checks `api->size` first (see
 * WH_API_HAS).  A plugin whose ABI major differs from the host's, or whose
 * minor is newer than the host's, is refused.
 */
#ifndef WIREHOOK_PLUGIN_H
#define WIREHOOK_PLUGIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WH_ABI_MAJOR 1
#define WH_ABI_MINOR 0

/* Name of the data symbol every plugin exports. */
#define WH_PLUGIN_INFO_SYMBOL "wirehook_plugin_info"

#if defined(__GNUC__)
#define WH_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#define WH_EXPORT __attribute__((visibility("default")))
#else
#define WH_PRINTF(fmt, args)
#define WH_EXPORT
#endif

/* jansson's value type, forward-declared so a plugin that only passes
 * values through needs no other header. */
typedef struct json_t json_t;

/* Opaque handle of one loaded plugin (owned by the host). */
typedef struct wh_plugin wh_plugin;

/* Opaque handle of one call from a script into a plugin function (owned by
 * the host, valid only during that call). */
typedef struct wh_call wh_call;

typedef enum wh_log_level {
  WH_LOG_DEBUG = 0,
  WH_LOG_INFO = 1,
  WH_LOG_WARN = 2,
  WH_LOG_ERROR = 3
} wh_log_level;

/* Error codes returned by plugin functions and host helpers.  Host helpers
 * that deal with files return -errno; these two values are outside errno's
 * range. */
#define WH_OK 0
#define WH_ERR_THROWN (-10000) /* a JS error was set with throw_* */
#define WH_ERR_ESCAPE (-10001) /* a path leaves the data directory */

/*
 * A function callable from scripts.
 *
 * argv: borrowed array of argc borrowed values, one per declared parameter
 *       (see wh_fn_spec.params), already converted by the host.  A missing or
 *       undefined/null optional parameter is a JSON null.
 * result: set to a new reference (stolen by the host) to return a value,
 *       or leave NULL to return `undefined`.
 * Returns WH_OK, or the value of api->throw_type/throw_error.
 */
typedef int (*wh_fn)(wh_call *call, json_t *const *argv, size_t argc,
                     json_t **result);

/*
 * Declares one function.  `params` lists the parameters separated by
 * spaces, each `name:kind`; kinds:
 *   s  required string (JS ToString; missing/undefined/null throws
 *      "TypeError: <path>: <name> is required")
 *   S  optional string (ToString, or null)
 *   b  required bytes: a buffer's raw bytes, else ToString; the JSON string
 *      may hold any bytes (use json_string_length)
 *   j  required JSON value (JSON rules: functions and undefined dropped)
 *   J  optional JSON value (null when omitted)
 *   n  optional number (ToNumber, or null when omitted)
 * Example: "path:s content:b".
 */
typedef struct wh_fn_spec {
  const char *path;   /* static; dotted, relative to the plugin's namespace
                         root given at registration: "file.write" */
  const char *params; /* static; see above; "" for none */
  wh_fn fn;
  void *udata;     /* borrowed by the host; returned by call_udata */
  const char *doc; /* static; one line shown by `wirehook plugins` */
} wh_fn_spec;

/* One configuration key a plugin accepts in its `[plugin.NAME]` section.
 * Any other key in that section is a configuration error. */
typedef struct wh_config_key {
  const char *name;          /* static */
  const char *default_value; /* static, may be NULL */
  const char *doc;           /* static */
} wh_config_key;

typedef struct wh_api wh_api;

typedef struct wh_plugin_info {
  unsigned abi_major;  /* WH_ABI_MAJOR at build time */
  unsigned abi_minor;  /* WH_ABI_MINOR at build time */
  const char *name;    /* static; [a-z0-9_]+, also the config section name */
  const char *version; /* static */
  const char *description; /* static */
  /* static array terminated by an entry whose name is NULL; may be NULL */
  const wh_config_key *config_keys;
  /* Called once on the main thread.  `plugin` and `api` are borrowed and
   * stay valid until fini returns.  Return 0, or a negative value after
   * logging the reason with api->log: the plugin is then refused. */
  int (*init)(wh_plugin *plugin, const wh_api *api);
  /* Called once at shutdown if init succeeded; may be NULL. */
  void (*fini)(wh_plugin *plugin);
} wh_plugin_info;

/* Returns non-zero when the host's table has member `m`. */
#define WH_API_HAS(api, m)                                                     \
  ((api)->size >= offsetof(wh_api, m) + sizeof((api)->m))

struct wh_api {
  size_t size;        /* sizeof(wh_api) of the host */
  unsigned abi_major; /* the host's WH_ABI_MAJOR */
  unsigned abi_minor; /* the host's WH_ABI_MINOR */

  /* --- logging: the plugin's name is prefixed; never log secrets --- */
  /* fmt: borrowed */
  void (*log)(const wh_plugin *plugin, wh_log_level level, const char *fmt, ...)
      WH_PRINTF(3, 4);

  /* --- registration, allowed only during init --- */
  /* spec: borrowed, but the strings it points to must be static.
   * Returns 0, or -1 after logging (duplicate path, bad params). */
  int (*register_fn)(wh_plugin *plugin, const wh_fn_spec *spec);
  /* Registers a service the core uses (e.g. "kfl.filter").  iface is
   * static; iface_size lets the core check the version it expects. */
  int (*register_service)(wh_plugin *plugin, const char *name,
                          const void *iface, size_t iface_size);

  /* --- configuration --- */
  /* Value of `key` in [plugin.NAME], or its declared default, or NULL.
   * Returned string: owned by the host, valid until fini. */
  const char *(*config)(const wh_plugin *plugin, const char *key);
  /* Value of `key` in [scripting.env], or NULL.  Same lifetime.  It is a
   * secret: never log it. */
  const char *(*env)(const char *key);

  /* --- identity; strings owned by the host, valid until fini --- */
  const char *(*node_name)(void);
  const char *(*node_ip)(void);
  const char *(*run_id)(void);

  /* --- the data directory --- */
  /* Absolute path of the data directory; owned by the host. */
  const char *(*data_dir)(void);
  /* Normalises a data-relative path (".", "..", "//") into out (cap
   * bytes).  "" and "." give "".  Returns 0, WH_ERR_ESCAPE for an absolute
   * path or one whose normal form leaves the data directory, -ENAMETOOLONG
   * or -EINVAL.  rel and out: borrowed. */
  int (*path_normalize)(const char *rel, char *out, size_t cap);
  /* Opens a data-relative path with open(2) flags and mode, resolving
   * every component beneath the data directory (symlinks that lead out
   * give WH_ERR_ESCAPE).  Returns an fd the caller closes, or a negative
   * code (WH_ERR_ESCAPE, -errno). */
  int (*path_open)(const char *rel, int flags, unsigned mode);
  /* Opens the parent directory of a data-relative path beneath the data
   * directory and copies the last component into base (cap bytes).  For
   * "" or "." returns -EISDIR.  Returns a directory fd the caller closes,
   * or a negative code as path_open. */
  int (*path_parent)(const char *rel, char *base, size_t cap);

  /* --- inside a call --- */
  /* Full dotted name of the called function ("file.write"); host-owned. */
  const char *(*call_name)(const wh_call *call);
  /* The udata of the called function's spec. */
  void *(*call_udata)(const wh_call *call);
  /* Makes the call throw a TypeError / Error whose message is
   * "<call_name>: <formatted text>".  Return their value from the wh_fn. */
  int (*throw_type)(wh_call *call, const char *fmt, ...) WH_PRINTF(2, 3);
  int (*throw_error)(wh_call *call, const char *fmt, ...) WH_PRINTF(2, 3);
  /* Prints a line on the calling script's console ("[<script>] text", or
   * "[<script>:ERROR] text" when is_error). */
  void (*console)(wh_call *call, int is_error, const char *fmt, ...)
      WH_PRINTF(3, 4);
};

#ifdef __cplusplus
}
#endif

#endif /* WIREHOOK_PLUGIN_H */
