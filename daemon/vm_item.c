/* The lazy item: what hooks receive as `data`.
 *
 * Building the whole item as JS objects costs far more than a hook that
 * reads `data.response.status` needs (DESIGN, "The hot path").  The item
 * is a Proxy over an empty target; the traps copy one field from the JSON
 * into the target on first access, and the first enumeration copies them
 * all, after which the proxy only forwards.  Keys that were copied,
 * assigned or deleted are remembered ("done") so the JSON never shows
 * through again: a delete stays deleted.  Sub-objects are lazy items of
 * their own.
 *
 * The state is a C struct whose pointer sits on the target under a hidden
 * key (hidden symbols bypass proxy traps in duktape, so C code can read it
 * through the proxy too); a finalizer on the target frees it. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "vm_internal.h"

#define K_STATE DUK_HIDDEN_SYMBOL("whItem")

typedef struct item_state {
  json_t *json;  /* the object, one reference */
  void *target;  /* the proxy's target (alive as long as the proxy) */
  void *handler; /* the heap's trap handler (kept in the heap stash) */
  bool all;      /* every field copied (after the first enumeration) */
  bool touched;  /* a field was read, set or deleted */
  unsigned n_done, cap_done;
  const char **done; /* key pointers owned by json, in first-touch order */
} item_state;

static item_state *state_of(duk_context *ctx, duk_idx_t obj) {
  duk_get_prop_literal(ctx, obj, K_STATE);
  item_state *st = duk_get_pointer(ctx, -1);
  duk_pop(ctx);
  return st;
}

/* The stable key pointer of `key` in the item's JSON, or NULL. */
static const char *json_key(const item_state *st, const char *key) {
  void *it = json_object_iter_at(st->json, key);
  return it ? json_object_iter_key(it) : NULL;
}

static bool is_done(const item_state *st, const char *kp) {
  for (unsigned i = 0; i < st->n_done; i++)
    if (st->done[i] == kp)
      return true;
  return false;
}

static void mark_done(item_state *st, const char *kp) {
  st->touched = true;
  if (!kp || is_done(st, kp))
    return;
  if (st->n_done == st->cap_done) {
    unsigned cap = st->cap_done ? st->cap_done * 2 : 8;
    const char **p = realloc(st->done, cap * sizeof(*p));
    if (!p)
      return;
    st->done = p;
    st->cap_done = cap;
  }
  st->done[st->n_done++] = kp;
}

/* Pushes a JSON value as JS; objects become lazy items. */
static void push_value(duk_context *ctx, const item_state *st, json_t *v) {
  if (json_is_object(v))
    vmi_push(ctx, st->handler, v);
  else
    vmc_push_json(ctx, v);
}

/* Copies field `key` (at stack index key) from the JSON into the target
 * unless that happened already or the script changed it. */
static void materialise_as(duk_context *ctx, item_state *st, duk_idx_t target,
                           duk_idx_t key, bool eager) {
  if (st->all || !duk_is_string(ctx, key))
    return;
  const char *kp = json_key(st, duk_get_string(ctx, key));
  if (!kp || is_done(st, kp))
    return;
  mark_done(st, kp);
  duk_dup(ctx, key);
  if (eager)
    vmc_push_json(ctx, json_object_get(st->json, kp));
  else
    push_value(ctx, st, json_object_get(st->json, kp));
  duk_put_prop(ctx, target);
}

static void materialise(duk_context *ctx, item_state *st, duk_idx_t target,
                        duk_idx_t key) {
  materialise_as(ctx, st, target, key, false);
}

/* Copies every field not copied yet, then orders the target's keys as a
 * plain object would have them: the item's keys in their order, then the
 * keys the script added, in the order it added them.  Enumeration usually
 * means the whole item is wanted (JSON.stringify), so the fields copied
 * here are plain objects, not lazy ones. */
static void materialise_all(duk_context *ctx, item_state *st,
                            duk_idx_t target) {
  if (st->all)
    return;
  bool in_order = !st->touched;
  const char *k;
  json_t *v;
  json_object_foreach(st->json, k, v) {
    duk_push_string(ctx, k);
    materialise_as(ctx, st, target, duk_get_top_index(ctx), true);
    duk_pop(ctx);
  }
  st->all = true;
  st->touched = true;
  if (in_order)
    return; /* nothing was there before: already in the item's order */
  duk_push_array(ctx);
  duk_idx_t order = duk_get_top_index(ctx);
  duk_uarridx_t n = 0;
  json_object_foreach(st->json, k, v) {
    if (duk_has_prop_string(ctx, target, k)) {
      duk_push_string(ctx, k);
      duk_put_prop_index(ctx, order, n++);
    }
  }
  duk_enum(ctx, target, DUK_ENUM_OWN_PROPERTIES_ONLY);
  while (duk_next(ctx, -1, 0)) {
    if (!json_object_get(st->json, duk_get_string(ctx, -1)))
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
}

/* data.hasOwnProperty(k): duktape has no getOwnPropertyDescriptor trap,
 * so the inherited method would ask the proxy itself and answer false.
 * Answer from the target instead, after materialising k. */
static duk_ret_t item_has_own(duk_context *ctx) {
  duk_push_current_function(ctx);
  duk_get_prop_literal(ctx, -1, DUK_HIDDEN_SYMBOL("whTarget"));
  duk_idx_t target = duk_get_top_index(ctx);
  duk_dup(ctx, 0);
  duk_to_string(ctx, -1);
  materialise(ctx, state_of(ctx, target), target, duk_get_top_index(ctx));
  duk_get_prop_desc(ctx, target, 0); /* consumes the key */
  duk_push_boolean(ctx, !duk_is_undefined(ctx, -1));
  return 1;
}

static bool push_has_own(duk_context *ctx) {
  if (!duk_is_string(ctx, 1) ||
      strcmp(duk_get_string(ctx, 1), "hasOwnProperty") != 0)
    return false;
  duk_push_literal(ctx, "hasOwnProperty");
  duk_get_prop_desc(ctx, 0, 0);
  bool own = !duk_is_undefined(ctx, -1);
  duk_pop(ctx);
  if (own)
    return false;
  duk_push_c_function(ctx, item_has_own, 1);
  duk_dup(ctx, 0);
  duk_put_prop_literal(ctx, -2, DUK_HIDDEN_SYMBOL("whTarget"));
  return true;
}

/* get(target, key, receiver) */
static duk_ret_t trap_get(duk_context *ctx) {
  if (push_has_own(ctx))
    return 1;
  materialise(ctx, state_of(ctx, 0), 0, 1);
  duk_dup(ctx, 1);
  duk_get_prop(ctx, 0);
  return 1;
}

/* has(target, key) */
static duk_ret_t trap_has(duk_context *ctx) {
  materialise(ctx, state_of(ctx, 0), 0, 1);
  duk_dup(ctx, 1);
  duk_push_boolean(ctx, duk_has_prop(ctx, 0));
  return 1;
}

static void touch(duk_context *ctx) {
  item_state *st = state_of(ctx, 0);
  if (st)
    mark_done(st, duk_is_string(ctx, 1) ? json_key(st, duk_get_string(ctx, 1))
                                        : NULL);
}

/* set(target, key, value, receiver) */
static duk_ret_t trap_set(duk_context *ctx) {
  touch(ctx);
  duk_dup(ctx, 1);
  duk_dup(ctx, 2);
  duk_put_prop(ctx, 0);
  duk_push_true(ctx);
  return 1;
}

/* deleteProperty(target, key) */
static duk_ret_t trap_delete(duk_context *ctx) {
  touch(ctx);
  duk_dup(ctx, 1);
  duk_del_prop(ctx, 0);
  duk_push_true(ctx);
  return 1;
}

/* ownKeys(target) */
static duk_ret_t trap_own_keys(duk_context *ctx) {
  materialise_all(ctx, state_of(ctx, 0), 0);
  duk_push_array(ctx);
  duk_uarridx_t n = 0;
  duk_enum(ctx, 0,
           DUK_ENUM_OWN_PROPERTIES_ONLY | DUK_ENUM_INCLUDE_NONENUMERABLE);
  while (duk_next(ctx, -1, 0))
    duk_put_prop_index(ctx, -3, n++);
  duk_pop(ctx);
  return 1;
}

static duk_ret_t finalize_target(duk_context *ctx) {
  item_state *st = state_of(ctx, 0);
  if (st) {
    duk_push_pointer(ctx, NULL);
    duk_put_prop_literal(ctx, 0, K_STATE);
    json_decref(st->json);
    free(st->done);
    free(st);
  }
  return 0;
}

void *vmi_init(duk_context *heap) {
  static const duk_function_list_entry traps[] = {
      {"get", trap_get, 3},          {"has", trap_has, 2},
      {"set", trap_set, 4},          {"deleteProperty", trap_delete, 2},
      {"ownKeys", trap_own_keys, 1}, {NULL, NULL, 0}};
  duk_push_heap_stash(heap);
  duk_push_bare_object(heap);
  duk_put_function_list(heap, -1, traps);
  duk_push_c_function(heap, finalize_target, 2);
  duk_put_prop_literal(heap, -2, "finalizer");
  void *handler = duk_get_heapptr(heap, -1);
  duk_put_prop_literal(heap, -2, DUK_HIDDEN_SYMBOL("whItemHandler"));
  duk_pop(heap);
  return handler;
}

void vmi_push(duk_context *ctx, void *handler, json_t *obj) {
  item_state *st = calloc(1, sizeof(*st));
  if (!st) {
    vmc_push_json(ctx, obj); /* no memory for laziness: a plain copy */
    return;
  }
  st->json = json_incref(obj);
  st->handler = handler;
  duk_push_object(ctx); /* target, in the calling script's realm */
  st->target = duk_get_heapptr(ctx, -1);
  duk_push_pointer(ctx, st);
  duk_put_prop_literal(ctx, -2, K_STATE);
  duk_push_heapptr(ctx, handler);
  duk_get_prop_literal(ctx, -1, "finalizer");
  duk_set_finalizer(ctx, -3);
  duk_push_proxy(ctx, 0);
}

json_t *vmi_json(duk_context *ctx, duk_idx_t idx) {
  item_state *st = state_of(ctx, idx);
  return st ? st->json : NULL;
}

bool vmi_touched(duk_context *ctx, duk_idx_t idx) {
  item_state *st = state_of(ctx, idx);
  return st && st->touched;
}

void vmi_push_target(duk_context *ctx, duk_idx_t idx) {
  item_state *st = state_of(ctx, idx);
  duk_push_heapptr(ctx, st->target);
}

bool vmi_key_done(duk_context *ctx, duk_idx_t idx, const char *key) {
  item_state *st = state_of(ctx, idx);
  return st && (st->all || is_done(st, json_key(st, key)));
}
