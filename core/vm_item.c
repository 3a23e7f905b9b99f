/* The lazy item: what hooks receive as `data`.
 *
 * Building the whole item as JS objects costs far more than a hook that
 * reads `data.response.status` needs (DESIGN, "The hot path").  The item
 * is a Proxy over an empty target; the traps copy one field from the JSON
 * into the target on first access, and the first enumeration copies them
 * all, after which the proxy only forwards.  Keys that were materialised,
 * assigned or deleted are remembered in a hidden "done" object so the
 * JSON never shows through again (a delete stays deleted).  Sub-objects
 * are lazy items of their own.
 *
 * Hidden symbols bypass proxy traps in duktape, so the state lives on the
 * target under hidden keys and C code can read it through the proxy. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "vm_internal.h"

#define K_JSON DUK_HIDDEN_SYMBOL("whJson") /* pointer to the json_t */
#define K_DONE DUK_HIDDEN_SYMBOL("whDone") /* object: key -> true */
#define K_ALL DUK_HIDDEN_SYMBOL("whAll")   /* true once fully copied */
#define K_HANDLER DUK_HIDDEN_SYMBOL("whItemHandler")

static json_t *target_json(duk_context *ctx, duk_idx_t target) {
  duk_get_prop_string(ctx, target, K_JSON);
  json_t *j = duk_get_pointer(ctx, -1);
  duk_pop(ctx);
  return j;
}

static bool flag(duk_context *ctx, duk_idx_t obj, const char *key) {
  duk_get_prop_string(ctx, obj, key);
  bool b = duk_to_boolean(ctx, -1);
  duk_pop(ctx);
  return b;
}

/* Pushes the target's done object, creating it on first use. */
static void push_done(duk_context *ctx, duk_idx_t target) {
  if (duk_get_prop_string(ctx, target, K_DONE))
    return;
  duk_pop(ctx);
  duk_push_bare_object(ctx);
  duk_dup_top(ctx);
  duk_put_prop_string(ctx, target, K_DONE);
}

static bool is_done(duk_context *ctx, duk_idx_t target, duk_idx_t key) {
  if (!duk_get_prop_string(ctx, target, K_DONE)) {
    duk_pop(ctx);
    return false;
  }
  duk_dup(ctx, key);
  bool done = duk_has_prop(ctx, -2);
  duk_pop(ctx);
  return done;
}

static void mark_done(duk_context *ctx, duk_idx_t target, duk_idx_t key) {
  push_done(ctx, target);
  duk_dup(ctx, key);
  duk_push_true(ctx);
  duk_put_prop(ctx, -3);
  duk_pop(ctx);
}

/* Pushes a JSON value as JS; objects become lazy items. */
static void push_value(duk_context *ctx, json_t *v) {
  if (json_is_object(v))
    vmi_push(ctx, v);
  else
    vmc_push_json(ctx, v);
}

/* Copies field `key` from the JSON into the target unless that happened
 * already (or the script changed it). */
static void materialise(duk_context *ctx, duk_idx_t target, duk_idx_t key) {
  if (!duk_is_string(ctx, key) || flag(ctx, target, K_ALL) ||
      is_done(ctx, target, key))
    return;
  json_t *j = target_json(ctx, target);
  json_t *v = j ? json_object_get(j, duk_get_string(ctx, key)) : NULL;
  if (!v)
    return;
  mark_done(ctx, target, key);
  duk_dup(ctx, key);
  push_value(ctx, v);
  duk_put_prop(ctx, target);
}

/* Copies every field not copied yet, then orders the target's keys as a
 * plain object would have them: the item's keys in their order, then the
 * keys the script added, in the order it added them. */
static void materialise_all(duk_context *ctx, duk_idx_t target) {
  if (flag(ctx, target, K_ALL))
    return;
  json_t *j = target_json(ctx, target);
  const char *k;
  json_t *v;
  json_object_foreach(j, k, v) {
    duk_push_string(ctx, k);
    materialise(ctx, target, duk_get_top_index(ctx));
    duk_pop(ctx);
  }
  /* Re-insert in the right order: JSON keys still present first. */
  duk_push_array(ctx);
  duk_idx_t order = duk_get_top_index(ctx);
  duk_uarridx_t n = 0;
  json_object_foreach(j, k, v) {
    if (duk_has_prop_string(ctx, target, k)) {
      duk_push_string(ctx, k);
      duk_put_prop_index(ctx, order, n++);
    }
  }
  duk_enum(ctx, target, DUK_ENUM_OWN_PROPERTIES_ONLY);
  while (duk_next(ctx, -1, 0)) {
    if (!json_object_get(j, duk_get_string(ctx, -1)))
      duk_put_prop_index(ctx, order, n++);
    else
      duk_pop(ctx);
  }
  duk_pop(ctx);
  for (duk_uarridx_t i = 0; i < n; i++) {
    duk_get_prop_index(ctx, order, i);
    duk_dup_top(ctx);
    duk_get_prop(ctx, target); /* [key value] */
    duk_dup(ctx, -2);
    duk_del_prop(ctx, target);
    duk_put_prop(ctx, target);
  }
  duk_pop(ctx);
  duk_push_true(ctx);
  duk_put_prop_string(ctx, target, K_ALL);
}

/* data.hasOwnProperty(k): duktape has no getOwnPropertyDescriptor trap,
 * so the inherited method would ask the proxy itself and answer false.
 * Answer from the target instead, after materialising k. */
static duk_ret_t item_has_own(duk_context *ctx) {
  duk_push_current_function(ctx);
  duk_get_prop_string(ctx, -1, DUK_HIDDEN_SYMBOL("whTarget"));
  duk_idx_t target = duk_get_top_index(ctx);
  duk_dup(ctx, 0);
  duk_to_string(ctx, -1);
  materialise(ctx, target, duk_get_top_index(ctx));
  duk_get_prop_desc(ctx, target, 0); /* consumes the key */
  duk_push_boolean(ctx, !duk_is_undefined(ctx, -1));
  return 1;
}

static bool has_own(duk_context *ctx, duk_idx_t obj, const char *key) {
  duk_push_string(ctx, key);
  duk_get_prop_desc(ctx, obj, 0);
  bool own = !duk_is_undefined(ctx, -1);
  duk_pop(ctx);
  return own;
}

static bool push_has_own(duk_context *ctx) {
  if (!duk_is_string(ctx, 1) ||
      strcmp(duk_get_string(ctx, 1), "hasOwnProperty") != 0 ||
      has_own(ctx, 0, "hasOwnProperty"))
    return false;
  duk_push_c_function(ctx, item_has_own, 1);
  duk_dup(ctx, 0);
  duk_put_prop_string(ctx, -2, DUK_HIDDEN_SYMBOL("whTarget"));
  return true;
}

/* get(target, key, receiver) */
static duk_ret_t trap_get(duk_context *ctx) {
  if (push_has_own(ctx))
    return 1;
  materialise(ctx, 0, 1);
  duk_dup(ctx, 1);
  duk_get_prop(ctx, 0);
  return 1;
}

/* has(target, key) */
static duk_ret_t trap_has(duk_context *ctx) {
  materialise(ctx, 0, 1);
  duk_dup(ctx, 1);
  duk_push_boolean(ctx, duk_has_prop(ctx, 0));
  return 1;
}

/* set(target, key, value, receiver) */
static duk_ret_t trap_set(duk_context *ctx) {
  if (duk_is_string(ctx, 1))
    mark_done(ctx, 0, 1);
  duk_dup(ctx, 1);
  duk_dup(ctx, 2);
  duk_put_prop(ctx, 0);
  duk_push_true(ctx);
  return 1;
}

/* deleteProperty(target, key) */
static duk_ret_t trap_delete(duk_context *ctx) {
  if (duk_is_string(ctx, 1))
    mark_done(ctx, 0, 1);
  duk_dup(ctx, 1);
  duk_del_prop(ctx, 0);
  duk_push_true(ctx);
  return 1;
}

/* ownKeys(target) */
static duk_ret_t trap_own_keys(duk_context *ctx) {
  materialise_all(ctx, 0);
  duk_push_array(ctx);
  duk_uarridx_t n = 0;
  duk_enum(ctx, 0, DUK_ENUM_OWN_PROPERTIES_ONLY | DUK_ENUM_INCLUDE_NONENUMERABLE);
  while (duk_next(ctx, -1, 0))
    duk_put_prop_index(ctx, -3, n++);
  duk_pop(ctx);
  return 1;
}

static duk_ret_t finalize_target(duk_context *ctx) {
  duk_get_prop_string(ctx, 0, K_JSON);
  json_t *j = duk_get_pointer(ctx, -1);
  duk_pop(ctx);
  if (j) {
    duk_push_pointer(ctx, NULL);
    duk_put_prop_string(ctx, 0, K_JSON);
    json_decref(j);
  }
  return 0;
}

void vmi_init(duk_context *heap) {
  static const duk_function_list_entry traps[] = {
      {"get", trap_get, 3},
      {"has", trap_has, 2},
      {"set", trap_set, 4},
      {"deleteProperty", trap_delete, 2},
      {"ownKeys", trap_own_keys, 1},
      {NULL, NULL, 0}};
  duk_push_heap_stash(heap);
  duk_push_bare_object(heap);
  duk_put_function_list(heap, -1, traps);
  duk_push_c_function(heap, finalize_target, 2);
  duk_put_prop_string(heap, -2, "finalizer");
  duk_put_prop_string(heap, -2, K_HANDLER);
  duk_pop(heap);
}

void vmi_push(duk_context *ctx, json_t *obj) {
  duk_push_object(ctx); /* target, in the calling script's realm */
  duk_push_pointer(ctx, json_incref(obj));
  duk_put_prop_string(ctx, -2, K_JSON);
  duk_push_heap_stash(ctx);
  duk_get_prop_string(ctx, -1, K_HANDLER);
  duk_get_prop_string(ctx, -1, "finalizer");
  duk_set_finalizer(ctx, -4);
  duk_remove(ctx, -2); /* [target handler] */
  duk_push_proxy(ctx, 0);
}

json_t *vmi_json(duk_context *ctx, duk_idx_t idx) {
  return target_json(ctx, idx);
}

bool vmi_touched(duk_context *ctx, duk_idx_t idx) {
  bool touched = duk_get_prop_string(ctx, idx, K_DONE) != 0;
  duk_pop(ctx);
  return touched;
}

void vmi_push_done(duk_context *ctx, duk_idx_t idx) {
  if (!duk_get_prop_string(ctx, idx, K_DONE)) {
    duk_pop(ctx);
    duk_push_bare_object(ctx);
  }
}
