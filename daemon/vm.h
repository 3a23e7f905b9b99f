/* The JavaScript runtime: one duktape heap on the script thread, one
 * global environment per script file, hook dispatch under a time limit. */
#ifndef WH_VM_H
#define WH_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct json_t json_t;
typedef struct vm vm;
typedef struct plugin_host plugin_host;
typedef struct wh_config wh_config;

/* Hooks, in the order of vm_hook_names[]. */
typedef enum vm_hook {
  VM_HOOK_PACKET_CAPTURED,
  VM_HOOK_ITEM_CAPTURED,
  VM_HOOK_ITEM_QUERIED,
  VM_HOOK_JOB_PASSED,
  VM_HOOK_JOB_FAILED,
  VM_HOOK_COUNT
} vm_hook;

extern const char *const vm_hook_names[VM_HOOK_COUNT];

/* Where console lines go: text is the whole line without the newline
 * ("[alerts.js] hello"). */
typedef void (*vm_console_sink)(void *udata, bool is_error, const char *line,
                                size_t len);

typedef struct vm_options {
  const wh_config *cfg; /* borrowed; must outlive the vm */
  plugin_host *plugins; /* borrowed; may be NULL (no plugins) */
  unsigned hook_timeout_ms;
  unsigned max_heap_mb;    /* 0: no cap */
  vm_console_sink console; /* NULL: stdout / stderr */
  void *console_udata;
} vm_options;

/* Per-hook counters, readable by `status` later. */
typedef struct vm_hook_stats {
  uint64_t calls, errors, timeouts;
  uint64_t ns; /* total time spent in the hook */
} vm_hook_stats;

vm *vm_new(const vm_options *opt);
void vm_free(vm *v);

/* Loads one script file; an error is logged as
 * "[<script>:ERROR] load: ..." and the script is not installed.
 * Returns 0 or -1. */
int vm_load_file(vm *v, const char *path);
/* Loads every entry of `paths`: files, or directories whose *.js files
 * (directly inside, byte order of names) are loaded.  Returns the number
 * of scripts that failed to load; a path that does not exist counts. */
int vm_load_paths(vm *v, char *const *paths, size_t n);
/* Loads the scripts of `paths` again (doc/control.md "scripts"): changed
 * files replace their old version only if they load, unchanged ones keep
 * running (unless `all`: the env changed), missing ones are unloaded
 * with their jobs.  Returns an array of {script, status[, error]} (new
 * reference). */
json_t *vm_reload(vm *v, char *const *paths, size_t n, bool all);
/* Compiles a file without running it (scripts check).  Writes the error
 * line into err. */
int vm_check_file(vm *v, const char *path, char *err, size_t errcap);

size_t vm_script_count(const vm *v);
/* True when at least one loaded script defines the hook. */
bool vm_has_hook(const vm *v, vm_hook h);

/* onItemCaptured(item) in every script that defines it.  The item is
 * borrowed; each script sees its own lazy copy. */
void vm_item_captured(vm *v, json_t *item);
/* onItemQueried pipeline (runtime.md §3).  Returns a new reference to the
 * final item (the input itself, increfed, when no script returned an
 * object). */
json_t *vm_item_queried(vm *v, json_t *item);
/* onPacketCaptured(info); info borrowed. */
void vm_packet_captured(vm *v, json_t *info);

const vm_hook_stats *vm_stats(const vm *v, vm_hook h);
/* True when this build can interrupt a runaway script. */
bool vm_timeout_enforced(void);

#endif
