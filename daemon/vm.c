#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg.h"
#include "log.h"
#include "vm_internal.h"

const char *const vm_hook_names[VM_HOOK_COUNT] = {
    "onPacketCaptured", "onItemCaptured", "onItemQueried", "onJobPassed",
    "onJobFailed"};

uint64_t vm_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Called by duktape every few hundred thousand bytecode instructions
 * (DUK_USE_EXEC_TIMEOUT_CHECK, see daemon/duk_overrides.h).  Once the limit
 * is hit it keeps answering "timeout" until the call has unwound, so a
 * try/catch in the script cannot swallow it. */
int wh_duk_exec_timeout_check(void *udata) {
  vm *v = udata;
  if (!v || !v->in_call)
    return 0;
  if (v->timed_out)
    return 1;
  if (vm_now_ns() > v->deadline_ns) {
    v->timed_out = true;
    return 1;
  }
  return 0;
}

bool vm_timeout_enforced(void) {
  return true;
}

void vm_pause_clock(vm *v, uint64_t *t0) {
  *t0 = vm_now_ns();
}

void vm_resume_clock(vm *v, uint64_t t0) {
  if (v->in_call)
    v->deadline_ns += vm_now_ns() - t0;
}

static void fatal_handler(void *udata, const char *msg) {
  log_error("JavaScript engine: fatal error: %s", msg ? msg : "?");
  abort();
}

vm *vm_new(const vm_options *opt) {
  vm *v = calloc(1, sizeof(*v));
  if (!v)
    return NULL;
  v->opt = *opt;
  if (!v->opt.hook_timeout_ms)
    v->opt.hook_timeout_ms = 1000;
  v->limit_ns = (uint64_t)v->opt.hook_timeout_ms * 1000000u;
  v->heap_cap = (size_t)v->opt.max_heap_mb << 20;
  v->heap =
      duk_create_heap(vm_alloc, vm_realloc, vm_free_block, v, fatal_handler);
  if (!v->heap) {
    free(v);
    return NULL;
  }
  v->item_handler = vmi_init(v->heap);
  duk_push_heap_stash(v->heap);
  duk_push_pointer(v->heap, v);
  duk_put_prop_string(v->heap, -2, DUK_HIDDEN_SYMBOL("whVm"));
  duk_pop(v->heap);
  return v;
}

void vm_free(vm *v) {
  if (!v)
    return;
  for (size_t i = 0; i < v->n_scripts; i++) {
    free(v->scripts[i]->name);
    free(v->scripts[i]->path);
    free(v->scripts[i]);
  }
  jobs_free_all(v);
  free(v->scripts);
  duk_destroy_heap(v->heap);
  free(v);
}

/* ---- console ---- */

#define CONSOLE_MAX (64 * 1024)

void vm_console_line(script *s, bool is_error, const char *text, size_t len) {
  static const char ellipsis[] = "\xe2\x80\xa6";
  char *line = malloc(CONSOLE_MAX + 256);
  if (!line)
    return;
  size_t n =
      (size_t)snprintf(line, 256, "[%s%s] ", s->name, is_error ? ":ERROR" : "");
  if (n >= 256)
    n = 255;
  if (len > CONSOLE_MAX) {
    /* Cut at a character boundary, then mark the cut. */
    len = CONSOLE_MAX;
    while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
      len--;
    memcpy(line + n, text, len);
    memcpy(line + n + len, ellipsis, 3);
    len += 3;
  } else {
    memcpy(line + n, text, len);
  }
  n += len;
  line[n] = '\0';
  if (is_error) /* the message alone: the reload report names the script */
    snprintf(s->v->last_error, sizeof(s->v->last_error), "%.*s",
             (int)(len < sizeof(s->v->last_error)
                       ? len
                       : sizeof(s->v->last_error) - 1),
             text);
  if (s->v->opt.console) {
    s->v->opt.console(s->v->opt.console_udata, is_error, line, n);
  } else {
    log_console_line(is_error, line, n);
  }
  free(line);
}

/* ---- calls ---- */

/* Formats the error at the top of ctx into buf: String(e), and where the
 * error came from when duktape knows it. */
static void describe_error(duk_context *ctx, char *buf, size_t cap) {
  const char *msg = duk_safe_to_string(ctx, -1);
  snprintf(buf, cap, "%s", msg);
  if (!duk_is_error(ctx, -2) || strstr(buf, "(line "))
    return;
  duk_get_prop_string(ctx, -2, "lineNumber");
  duk_get_prop_string(ctx, -3, "fileName");
  if (duk_is_number(ctx, -2) && duk_is_string(ctx, -1)) {
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, " (at %s:%d)", duk_get_string(ctx, -1),
             duk_get_int(ctx, -2));
  }
  duk_pop_2(ctx);
}

static void log_stack(duk_context *ctx) {
  if (log_get_level() > LOG_DEBUG_ || !duk_is_error(ctx, -1))
    return;
  duk_get_prop_string(ctx, -1, "stack");
  log_debug("%s", duk_safe_to_string(ctx, -1));
  duk_pop(ctx);
}

static void report_error(script *s, const char *what, bool timeout) {
  duk_context *ctx = s->ctx;
  char text[2048];
  log_stack(ctx);
  if (timeout) {
    snprintf(text, sizeof(text),
             "%s RangeError: execution timeout (limit %u ms)", what,
             s->v->opt.hook_timeout_ms);
  } else {
    duk_dup(ctx, -1);
    char err[1800];
    describe_error(ctx, err, sizeof(err));
    duk_pop(ctx);
    snprintf(text, sizeof(text), "%s %s%s", what, err,
             s->v->heap_refused ? " (the script heap reached [scripting] "
                                  "max_heap_mb)"
                                : "");
  }
  vm_console_line(s, true, text, strlen(text));
}

int vm_call(script *s, duk_idx_t nargs, const char *what) {
  vm *v = s->v;
  script *outer = v->current;
  v->current = s;
  v->in_call = true;
  v->timed_out = false;
  v->heap_refused = false;
  v->deadline_ns = vm_now_ns() + v->limit_ns;
  int rc = duk_pcall(s->ctx, nargs);
  bool timeout = v->timed_out;
  v->in_call = false;
  v->timed_out = false;
  v->current = outer;
  if (rc == DUK_EXEC_SUCCESS)
    return 0;
  report_error(s, what, timeout);
  return timeout ? -2 : -1;
}

/* ---- hook dispatch ---- */

bool vm_has_hook(const vm *v, vm_hook h) {
  for (size_t i = 0; i < v->n_scripts; i++)
    if (v->scripts[i]->has_hook[h])
      return true;
  return false;
}

size_t vm_script_count(const vm *v) {
  return v->n_scripts;
}

const vm_hook_stats *vm_stats(const vm *v, vm_hook h) {
  return &v->stats[h];
}

/* Pushes the script's hook function; false (nothing pushed) if absent. */
bool vm_push_hook(script *s, vm_hook h) {
  if (!s->has_hook[h])
    return false;
  duk_get_global_string(s->ctx, vm_hook_names[h]);
  if (duk_is_callable(s->ctx, -1))
    return true;
  duk_pop(s->ctx);
  return false;
}

static void count_call(vm_hook_stats *st, uint64_t ns, int rc) {
  st->calls++;
  st->ns += ns;
  if (rc == -2)
    st->timeouts++;
  else if (rc < 0)
    st->errors++;
}

static void account(script *s, vm_hook h, uint64_t t0, int rc) {
  uint64_t ns = vm_now_ns() - t0;
  count_call(&s->v->stats[h], ns, rc);
  count_call(&s->stats[h], ns, rc);
}

int vm_call_hook(script *s, vm_hook h, duk_idx_t nargs) {
  char what[64];
  snprintf(what, sizeof(what), "(hook=%s)", vm_hook_names[h]);
  uint64_t t0 = vm_now_ns();
  int rc = vm_call(s, nargs, what);
  account(s, h, t0, rc);
  return rc;
}

void vm_item_captured(vm *v, json_t *item) {
  for (size_t i = 0; i < v->n_scripts; i++) {
    script *s = v->scripts[i];
    if (!vm_push_hook(s, VM_HOOK_ITEM_CAPTURED))
      continue;
    vmi_push(s->ctx, v->item_handler, item);
    vm_call_hook(s, VM_HOOK_ITEM_CAPTURED, 1);
    duk_pop(s->ctx);
  }
}

void vm_packet_captured(vm *v, json_t *info) {
  for (size_t i = 0; i < v->n_scripts; i++) {
    script *s = v->scripts[i];
    if (!vm_push_hook(s, VM_HOOK_PACKET_CAPTURED))
      continue;
    vmc_push_json(s->ctx, info);
    vm_call_hook(s, VM_HOOK_PACKET_CAPTURED, 1);
    duk_pop(s->ctx);
  }
}

json_t *vm_item_queried(vm *v, json_t *item) {
  json_t *cur = json_incref(item);
  for (size_t i = 0; i < v->n_scripts; i++) {
    script *s = v->scripts[i];
    if (!vm_push_hook(s, VM_HOOK_ITEM_QUERIED))
      continue;
    vmi_push(s->ctx, v->item_handler, cur);
    if (vm_call_hook(s, VM_HOOK_ITEM_QUERIED, 1) == 0 &&
        duk_is_object(s->ctx, -1) && !duk_is_function(s->ctx, -1) &&
        !duk_is_array(s->ctx, -1)) {
      const char *err = NULL;
      json_t *next = NULL;
      int rc = vmc_to_json(s->ctx, -1, &next, &err);
      if (rc == 0 && json_is_object(next)) {
        json_decref(cur);
        cur = next;
      } else {
        json_decref(next);
        /* The returned object could not be converted: as if the script
         * returned nothing (runtime.md §3), but say why. */
        if (rc == -2) {
          report_error(s, "(hook=onItemQueried) returned value:", false);
          duk_pop(s->ctx);
        } else if (err) {
          char text[256];
          snprintf(text, sizeof(text),
                   "(hook=onItemQueried) returned value: %s", err);
          vm_console_line(s, true, text, strlen(text));
        }
      }
    }
    duk_pop(s->ctx);
  }
  return cur;
}

vm *vm_of(duk_context *ctx) {
  duk_push_heap_stash(ctx);
  duk_get_prop_literal(ctx, -1, DUK_HIDDEN_SYMBOL("whVm"));
  vm *v = duk_get_pointer(ctx, -1);
  duk_pop_2(ctx);
  return v;
}
