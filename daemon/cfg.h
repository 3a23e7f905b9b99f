/* Configuration: INI files read with inih (see DESIGN "Configuration"). */
#ifndef WH_CFG_H
#define WH_CFG_H

#include <stdbool.h>
#include <stddef.h>

/* One key = value with where it came from (for error messages). */
typedef struct cfg_kv {
  char *key;
  char *value;
  char *file; /* the INI file that set it */
  int line;
} cfg_kv;

typedef struct cfg_list {
  cfg_kv *items;
  size_t n, cap;
} cfg_list;

/* One [plugin.NAME] section. */
typedef struct cfg_plugin_section {
  char *name;
  cfg_list keys;
} cfg_plugin_section;

typedef struct wh_config {
  /* [storage] */
  char *data_dir; /* dir, default WH_LOCALSTATEDIR "/lib/wirehook" */
  /* max_size, max_age: raw until retention gives them a meaning */
  cfg_list storage;

  /* [scripting] */
  char **scripts; /* scripts = a.js, dir/ ... (comma or space separated) */
  size_t n_scripts;
  unsigned hook_timeout_ms; /* default 1000, 1..3600000 */
  unsigned max_heap_mb;     /* JS heap cap, default 512, 16..65536 */
  bool watch;               /* default false */
  /* queue_size: raw */
  cfg_list scripting_extra;

  /* [scripting.env]; KEY_FILE = path is stored as KEY with the file's
   * content (one trailing newline removed). Values are secrets. */
  cfg_list env;

  /* [plugins] */
  char *plugin_dir; /* dir, default WH_PLUGINDIR */
  char **load;      /* load = file, kfl (default: all found) */
  size_t n_load;
  bool load_all; /* true unless `load` was given */

  /* [plugin.NAME] sections, checked against each plugin's keys once the
   * plugins are loaded (cfg_check_plugin_keys). */
  cfg_plugin_section *plugins;
  size_t n_plugins;

  /* [node] */
  char *node_name;   /* name, default: host name */
  char *node_ip;     /* ip, default "" (capture fills it later) */
  char *node_worker; /* worker, default "<ip>:8897" */

  /* [control] */
  char *control_socket; /* socket, default /run/wirehook/control.sock */
  char *control_group;  /* group, default none */
  /* max_clients, timeout_ms: raw */
  cfg_list control_extra;

  /* [capture] and [resolve]: kept as raw lists until the capture issue
   * gives them meaning; unknown keys there are still refused. */
  cfg_list capture;
  cfg_list resolve;
} wh_config;

/* Fills cfg with defaults. */
void cfg_init(wh_config *cfg);

/* Loads the configuration: if `explicit_file` is non-NULL only that file
 * (missing = error); otherwise /etc/wirehook/wirehook.ini (SYSCONFDIR),
 * $HOME/.wirehook/wirehook.ini, ./wirehook.ini, each if present, later
 * files overriding earlier keys.  On error returns -1 and writes one line
 * "FILE:LINE: KEY: what is wrong; what to do" into err. */
int cfg_load(wh_config *cfg, const char *explicit_file, char *err,
             size_t errcap);

/* Parses one file into cfg (used by cfg_load and the tests). */
int cfg_load_file(wh_config *cfg, const char *path, char *err, size_t errcap);

/* Value of [plugin.NAME] key, or NULL. */
const char *cfg_plugin_value(const wh_config *cfg, const char *plugin,
                             const char *key);

/* Value of an env key, or NULL. */
const char *cfg_env_value(const wh_config *cfg, const char *key);

/* Checks that every key of [plugin.NAME] is one of `keys` (NULL-terminated
 * array of names).  Returns -1 and a one-line message naming file, line and
 * key otherwise. */
int cfg_check_plugin_keys(const wh_config *cfg, const char *plugin,
                          const char *const *keys, char *err, size_t errcap);

/* Adds a script path given on the command line (-s). */
int cfg_add_script(wh_config *cfg, const char *path);

/* Value of `key` in a raw list (cfg->capture, cfg->resolve, cfg->storage,
 * ...), or NULL; the cfg_kv gives its file and line for error messages. */
const cfg_kv *cfg_list_find(const cfg_list *list, const char *key);
const char *cfg_list_value(const cfg_list *list, const char *key);

/* Longest INI line inih reads whole (characters, without the newline). */
size_t cfg_max_line(void);

/* Same keys and values in the same order. */
bool cfg_list_equal(const cfg_list *a, const cfg_list *b);
/* Swaps [scripting] scripts and [scripting.env] of cfg with those of
 * `from` (a freshly loaded configuration, for a reload); `from` then holds
 * the old ones for cfg_free. */
void cfg_take_scripting(wh_config *cfg, wh_config *from);

void cfg_free(wh_config *cfg);

#endif
