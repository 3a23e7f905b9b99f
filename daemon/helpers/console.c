/* console.log / console.error (runtime.md §5). */
#include "config.h"

#include <string.h>

#include "strbuf.h"
#include "vm_internal.h"

static duk_ret_t stringify(duk_context *ctx, void *udata) {
  duk_json_encode(ctx, -1);
  return 1;
}

/* Appends the printed form of the value at idx. */
static void format_arg(duk_context *ctx, duk_idx_t idx, strbuf *out) {
  duk_size_t n;
  const char *s;
  if (duk_is_string(ctx, idx)) {
    s = duk_get_lstring(ctx, idx, &n);
  } else if (duk_is_object(ctx, idx) && !duk_is_function(ctx, idx) &&
             !duk_is_error(ctx, idx)) {
    duk_dup(ctx, idx);
    if (duk_safe_call(ctx, stringify, NULL, 1, 1) != DUK_EXEC_SUCCESS ||
        duk_is_undefined(ctx, -1)) {
      duk_pop(ctx);
      duk_dup(ctx, idx);
      s = duk_safe_to_lstring(ctx, -1, &n);
    } else {
      s = duk_get_lstring(ctx, -1, &n);
    }
    sb_append(out, s, n);
    duk_pop(ctx);
    return;
  } else {
    duk_dup(ctx, idx);
    s = duk_safe_to_lstring(ctx, -1, &n);
    sb_append(out, s, n);
    duk_pop(ctx);
    return;
  }
  sb_append(out, s, n);
}

static duk_ret_t console_print(duk_context *ctx, bool is_error) {
  duk_idx_t n = duk_get_top(ctx);
  strbuf line = STRBUF_INIT;
  for (duk_idx_t i = 0; i < n; i++) {
    if (i)
      sb_append(&line, " ", 1);
    format_arg(ctx, i, &line);
  }
  vm *v = vm_of(ctx);
  if (v && v->current)
    vm_console_line(v->current, is_error, sb_str(&line), line.len);
  sb_free(&line);
  return 0;
}

static duk_ret_t console_log(duk_context *ctx) {
  return console_print(ctx, false);
}
static duk_ret_t console_error(duk_context *ctx) {
  return console_print(ctx, true);
}

void helper_console_install(duk_context *ctx) {
  static const duk_function_list_entry fns[] = {
      {"log", console_log, DUK_VARARGS},
      {"error", console_error, DUK_VARARGS},
      {NULL, NULL, 0}};
  duk_push_object(ctx);
  duk_put_function_list(ctx, -1, fns);
  duk_put_global_string(ctx, "console");
}
