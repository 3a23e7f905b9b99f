/* Plugin functions as JS functions: arguments converted by the declared
 * parameter kinds, the call made with the script's clock paused, errors
 * thrown as TypeError or Error. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "plugin.h"
#include "vm_internal.h"

#define K_FN DUK_HIDDEN_SYMBOL("whFn")

typedef struct call_args {
  const plugin_fn *fn;
  json_t *argv[PLUGIN_MAX_PARAMS];
  const char *missing; /* name of a required parameter that was absent */
  const char *bad;     /* conversion error */
  const char *bad_param;
} call_args;

static bool absent(duk_context *ctx, duk_idx_t i) {
  return duk_is_undefined(ctx, i) || duk_is_null(ctx, i);
}

/* ToString, then UTF-8. */
static json_t *string_arg(duk_context *ctx, duk_idx_t i) {
  duk_size_t n;
  duk_dup(ctx, i);
  const char *s = duk_to_lstring(ctx, -1, &n);
  json_t *j = vmc_string_to_json(s, n);
  duk_pop(ctx);
  return j;
}

/* A buffer's raw bytes, or ToString's UTF-8. */
static json_t *bytes_arg(duk_context *ctx, duk_idx_t i) {
  if (duk_is_buffer_data(ctx, i)) {
    duk_size_t n;
    void *p = duk_get_buffer_data(ctx, i, &n);
    return json_stringn_nocheck(p ? p : "", p ? n : 0);
  }
  return string_arg(ctx, i);
}

static json_t *convert_arg(duk_context *ctx, duk_idx_t i, char kind,
                           const char **bad) {
  switch (kind) {
  case 's':
  case 'S':
    return string_arg(ctx, i);
  case 'b':
    return bytes_arg(ctx, i);
  case 'n':
    return json_real(duk_to_number(ctx, i));
  default: {
    json_t *j = NULL;
    if (vmc_to_json(ctx, i, &j, bad) == -2)
      (void)duk_throw(ctx); /* a getter or toJSON threw: pass it on */
    return j ? j : json_null();
  }
  }
}

/* Runs under duk_safe_call: ToString and getters may throw. */
static duk_ret_t convert_args(duk_context *ctx, void *udata) {
  call_args *a = udata;
  duk_idx_t top = duk_get_top(ctx);
  for (size_t i = 0; i < a->fn->n_params; i++) {
    const plugin_param *p = &a->fn->params[i];
    duk_idx_t idx = (duk_idx_t)i;
    bool required = p->kind == 's' || p->kind == 'b' || p->kind == 'j';
    if (idx >= top || absent(ctx, idx)) {
      if (required) {
        a->missing = p->name;
        return 0;
      }
      a->argv[i] = json_null();
      continue;
    }
    a->argv[i] = convert_arg(ctx, idx, p->kind, &a->bad);
    if (a->bad || !a->argv[i]) {
      a->bad_param = p->name;
      if (!a->bad)
        a->bad = "cannot be converted";
      return 0;
    }
  }
  return 0;
}

static void free_args(call_args *a) {
  for (size_t i = 0; i < PLUGIN_MAX_PARAMS; i++)
    json_decref(a->argv[i]);
}

static void call_console(void *udata, bool is_error, const char *text) {
  vm *v = udata;
  if (v->current)
    vm_console_line(v->current, is_error, text, strlen(text));
}

/* Calls the plugin; leaves nothing on the stack.  Returns the result or
 * NULL, with call->error_kind set on failure. */
static json_t *invoke(vm *v, const plugin_fn *fn, call_args *a,
                      struct wh_call *call) {
  json_t *result = NULL;
  uint64_t t0;
  vm_pause_clock(v, &t0);
  int rc = fn->fn(call, a->argv, fn->n_params, &result);
  vm_resume_clock(v, t0);
  if (rc != 0 && !call->error_kind) {
    call->error_kind = 2;
    snprintf(call->message, sizeof(call->message), "%s: failed (code %d)",
             fn->path, rc);
  }
  if (call->error_kind) {
    json_decref(result);
    return NULL;
  }
  return result;
}

static duk_ret_t trampoline(duk_context *ctx) {
  duk_push_current_function(ctx);
  duk_get_prop_string(ctx, -1, K_FN);
  const plugin_fn *fn = duk_get_pointer(ctx, -1);
  duk_pop_2(ctx);
  if (!fn->owner)
    return duk_generic_error(ctx, "%s: plugin \"%s\" is not available",
                             fn->path, fn->plugin_name);
  call_args a;
  memset(&a, 0, sizeof(a));
  a.fn = fn;
  if (duk_safe_call(ctx, convert_args, &a, 0, 1) != DUK_EXEC_SUCCESS) {
    free_args(&a);
    return duk_throw(ctx);
  }
  duk_pop(ctx);
  if (a.missing || a.bad) {
    free_args(&a);
    if (a.missing)
      return duk_type_error(ctx, "%s: %s is required", fn->path, a.missing);
    return duk_type_error(ctx, "%s: %s: %s", fn->path, a.bad_param, a.bad);
  }
  vm *v = vm_of(ctx);
  struct wh_call call;
  memset(&call, 0, sizeof(call));
  call.fn = fn;
  call.console = call_console;
  call.console_ctx = v;
  json_t *result = invoke(v, fn, &a, &call);
  free_args(&a);
  if (call.error_kind == 1)
    return duk_type_error(ctx, "%s", call.message);
  if (call.error_kind)
    return duk_generic_error(ctx, "%s", call.message);
  if (!result)
    return 0;
  vmc_push_json(ctx, result);
  json_decref(result);
  return 1;
}

/* Pushes the object at `path` (dotted, without the last part) below the
 * global object, creating the missing ones. */
static void push_namespace(duk_context *ctx, const char *path, size_t len) {
  duk_push_global_object(ctx);
  const char *p = path;
  while ((size_t)(p - path) < len) {
    const char *dot = memchr(p, '.', len - (size_t)(p - path));
    size_t n = dot ? (size_t)(dot - p) : len - (size_t)(p - path);
    duk_push_lstring(ctx, p, n);
    duk_dup_top(ctx);
    duk_get_prop(ctx, -3);
    if (!duk_is_object(ctx, -1)) {
      duk_pop(ctx);
      duk_push_object(ctx);
      duk_dup(ctx, -2);
      duk_dup(ctx, -2);
      duk_put_prop(ctx, -5);
    }
    duk_remove(ctx, -2); /* key */
    duk_remove(ctx, -2); /* parent */
    p += n + 1;
  }
}

void helper_plugins_install(script *s) {
  plugin_host *h = s->v->opt.plugins;
  duk_context *ctx = s->ctx;
  for (size_t i = 0; h && i < plugin_host_fn_count(h); i++) {
    const plugin_fn *fn = plugin_host_fn_at(h, i);
    const char *last = strrchr(fn->path, '.');
    push_namespace(ctx, fn->path, (size_t)(last - fn->path));
    duk_push_c_function(ctx, trampoline, DUK_VARARGS);
    duk_push_pointer(ctx, (void *)fn);
    duk_put_prop_string(ctx, -2, K_FN);
    duk_put_prop_string(ctx, -2, last + 1);
    duk_pop(ctx);
  }
}
