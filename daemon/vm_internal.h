/* Internals shared by the vm_*.c files and the core helpers. */
#ifndef WH_VM_INTERNAL_H
#define WH_VM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "duktape.h"
#include "jobs/scheduler.h"
#include "vm.h"

typedef struct script {
  char *name; /* file base name, "alerts.js" */
  char *path;
  char stash_key[24]; /* where its thread is kept alive in the heap stash */
  duk_context *ctx;   /* the script's thread, with its own global object */
  bool has_hook[VM_HOOK_COUNT];
  vm_hook_stats stats[VM_HOOK_COUNT]; /* this script's share of vm->stats */
  uint64_t digest; /* of the source, so a reload can skip an unchanged file */
  struct vm *v;
} script;

struct vm {
  duk_context *heap;
  vm_options opt;
  script **scripts;
  size_t n_scripts, cap_scripts;
  unsigned next_stash_id;
  /* Time limit of the current call (CLOCK_MONOTONIC ns). */
  uint64_t deadline_ns, limit_ns;
  bool in_call, timed_out;
  script *current; /* the script whose code runs now */
  bool env_warned;
  char last_error[512]; /* the last error line printed (for reloads) */
  /* Heap accounting (vm_alloc.c). */
  size_t heap_used, heap_cap;
  bool heap_refused; /* an allocation hit the cap */
  unsigned alloc_ticks;
  void *item_handler; /* vm_item.c's proxy handler */
  vm_hook_stats stats[VM_HOOK_COUNT];
  job_table jobs;
};

/* Pushes script s's hook function; false (nothing pushed) if absent. */
bool vm_push_hook(script *s, vm_hook h);
/* Calls the pushed hook with nargs arguments, counting it in the stats;
 * the result (or error) stays on the stack. */
int vm_call_hook(script *s, vm_hook h, duk_idx_t nargs);

uint64_t vm_now_ns(void);

/* The vm that owns the heap of ctx (kept in the heap stash). */
struct vm *vm_of(duk_context *ctx);

/* vm_alloc.c: duktape's allocation functions, udata = the vm. */
void *vm_alloc(void *udata, duk_size_t size);
void *vm_realloc(void *udata, void *ptr, duk_size_t size);
void vm_free_block(void *udata, void *ptr);

/* Runs the function below nargs arguments on s->ctx under the time limit,
 * leaving its result (or undefined) on the stack.  `what` names the call
 * in error lines ("hook=onItemCaptured", "load").  Returns 0, or -1 after
 * logging the error. */
int vm_call(script *s, duk_idx_t nargs, const char *what);

/* Prints one console line for s ("[name] text" / "[name:ERROR] text"). */
void vm_console_line(script *s, bool is_error, const char *text, size_t len);

/* Plugin calls do I/O with their own timeouts: their time does not count
 * against the script's limit. */
void vm_pause_clock(vm *v, uint64_t *t0);
void vm_resume_clock(vm *v, uint64_t t0);

/* vm_convert.c: JSON <-> JS values. */
void vmc_push_json(duk_context *ctx, json_t *j);
/* Converts the value at idx by JSON rules.  Returns 0 with *out a new
 * reference, or NULL for "no value" (undefined, functions); -1 with *err
 * set for a cyclic or too deeply nested value; -2 when script code (a
 * getter, toJSON) threw, with the error left on the stack top. */
int vmc_to_json(duk_context *ctx, duk_idx_t idx, json_t **out,
                const char **err);
/* A JS string (CESU-8 inside duktape) as UTF-8 JSON string. */
json_t *vmc_string_to_json(const char *s, size_t len);

/* vm_item.c: the lazy item given to hooks. */
/* Creates the heap's trap handler; returns it for vmi_push. */
void *vmi_init(duk_context *heap);
/* Pushes a lazy proxy over `obj` (a JSON object, increfed). */
void vmi_push(duk_context *ctx, void *handler, json_t *obj);
/* The JSON behind a lazy item at idx (borrowed), or NULL if it is not one. */
json_t *vmi_json(duk_context *ctx, duk_idx_t idx);
/* True once the script read, set or deleted a field of the item. */
bool vmi_touched(duk_context *ctx, duk_idx_t idx);
/* True when field `key` of the item's JSON was read, set or deleted: its
 * value (or absence) is then the target's. */
bool vmi_key_done(duk_context *ctx, duk_idx_t idx, const char *key);
/* Pushes the target behind the lazy item at idx (enumerating it does not
 * materialise the item). */
void vmi_push_target(duk_context *ctx, duk_idx_t idx);

/* vm_scripts.c: loading in steps, for reloads. */
/* Loads and runs one file in a fresh global environment without adding
 * it to the vm; NULL after reporting the error (its jobs are removed). */
script *vm_script_load(vm *v, const char *path);
int vm_script_add(vm *v, script *s);
/* Frees a script that is not (or no longer) in v->scripts. */
void vm_script_drop(vm *v, script *s);
/* Digest of a file's content (0 when it cannot be read). */
uint64_t vm_file_digest(const char *path);

/* The script files named by [scripting] scripts / -s: files as given,
 * directories expanded to their *.js files. */
typedef struct script_paths {
  char **paths;
  size_t n, cap;
  int failures; /* paths that do not exist or cannot be listed */
} script_paths;
void script_paths_collect(script_paths *sp, char *const *paths, size_t n);
void script_paths_free(script_paths *sp);

/* helpers/: install each namespace into a script's global object. */
void helper_console_install(duk_context *ctx);
void helper_test_install(duk_context *ctx);
void helper_pcap_install(duk_context *ctx);
void helper_jobs_install(duk_context *ctx);
void helper_env_install(script *s);
void helper_plugins_install(script *s);

#endif
