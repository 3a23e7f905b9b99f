/* Values between JSON (jansson) and JavaScript (duktape), by JSON rules. */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vm_internal.h"

#define MAX_DEPTH 64

void vmc_push_json(duk_context *ctx, json_t *j) {
  switch (json_typeof(j)) {
  case JSON_OBJECT: {
    duk_push_object(ctx);
    const char *key;
    json_t *val;
    json_object_foreach(j, key, val) {
      vmc_push_json(ctx, val);
      duk_put_prop_string(ctx, -2, key);
    }
    break;
  }
  case JSON_ARRAY: {
    duk_push_array(ctx);
    for (size_t i = 0; i < json_array_size(j); i++) {
      vmc_push_json(ctx, json_array_get(j, i));
      duk_put_prop_index(ctx, -2, (duk_uarridx_t)i);
    }
    break;
  }
  case JSON_STRING:
    duk_push_lstring(ctx, json_string_value(j), json_string_length(j));
    break;
  case JSON_INTEGER:
    duk_push_number(ctx, (double)json_integer_value(j));
    break;
  case JSON_REAL:
    duk_push_number(ctx, json_real_value(j));
    break;
  case JSON_TRUE:
    duk_push_true(ctx);
    break;
  case JSON_FALSE:
    duk_push_false(ctx);
    break;
  default:
    duk_push_null(ctx);
  }
}

/* Appends the UTF-8 encoding of code point cp. */
static size_t put_utf8(unsigned char *o, unsigned long cp) {
  if (cp < 0x80) {
    o[0] = (unsigned char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (unsigned char)(0xC0 | (cp >> 6));
    o[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (unsigned char)(0xE0 | (cp >> 12));
    o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (unsigned char)(0xF0 | (cp >> 18));
  o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Decodes one sequence of duktape's extended UTF-8 at s (n bytes left);
 * returns its length, 0 if invalid. */
static size_t get_seq(const unsigned char *s, size_t n, unsigned long *cp) {
  unsigned char c = s[0];
  size_t len = c < 0x80         ? 1
               : (c >> 5) == 6  ? 2
               : (c >> 4) == 14 ? 3
               : (c >> 3) == 30 ? 4
                                : 0;
  if (!len || len > n)
    return 0;
  unsigned long v = len == 1 ? c : c & (0x7F >> len);
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    v = (v << 6) | (s[i] & 0x3F);
  }
  *cp = v;
  return len;
}

/* duktape keeps strings as CESU-8 (surrogate pairs as two 3-byte
 * sequences); JSON needs UTF-8.  Pairs are joined, lone surrogates and
 * invalid bytes become U+FFFD. */
json_t *vmc_string_to_json(const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < len && s[i] < 0x80)
    i++;
  if (i == len)
    return json_stringn_nocheck(str, len);
  unsigned char *out = malloc(len * 2 + 4);
  if (!out)
    return NULL;
  memcpy(out, s, i);
  size_t o = i;
  while (i < len) {
    unsigned long cp, lo;
    size_t n = get_seq(s + i, len - i, &cp);
    if (n == 0) {
      cp = 0xFFFD;
      n = 1;
    } else if (cp >= 0xD800 && cp <= 0xDBFF) {
      size_t m = get_seq(s + i + n, len - i - n, &lo);
      if (m == 3 && lo >= 0xDC00 && lo <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        n += m;
      } else {
        cp = 0xFFFD;
      }
    } else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      cp = 0xFFFD;
    }
    o += put_utf8(out + o, cp);
    i += n;
  }
  json_t *j = json_stringn_nocheck((const char *)out, o);
  free(out);
  return j;
}

/* Where a converted value goes.  Containers are placed before they are
 * filled, so when script code (a getter, toJSON) throws part-way, the
 * partial tree hangs off the caller's root and is freed there. */
typedef struct slot {
  json_t **root;   /* the result, or NULL */
  json_t *parent;  /* array or object */
  const char *key; /* member name in an object parent; NULL: append */
} slot;

typedef struct conv {
  duk_idx_t idx;
  json_t *root;
  const char *err;
} conv;

static void place(const slot *s, json_t *v) {
  if (!v)
    return;
  if (s->root)
    *s->root = v;
  else if (s->key)
    json_object_set_new_nocheck(s->parent, s->key, v);
  else
    json_array_append_new(s->parent, v);
}

static void to_json(duk_context *ctx, duk_idx_t idx, int depth, conv *c,
                    const slot *at);

static void fill_array(duk_context *ctx, duk_idx_t idx, int depth, conv *c,
                       json_t *arr) {
  duk_size_t n = duk_get_length(ctx, idx);
  slot at = {NULL, arr, NULL};
  for (duk_size_t i = 0; i < n && !c->err; i++) {
    size_t before = json_array_size(arr);
    duk_get_prop_index(ctx, idx, (duk_uarridx_t)i);
    to_json(ctx, -1, depth + 1, c, &at);
    duk_pop(ctx);
    if (json_array_size(arr) == before) /* undefined, function */
      json_array_append_new(arr, json_null());
  }
}

static bool ascii(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] >= 0x80)
      return false;
  return true;
}

/* Places one member.  A key that is not ASCII is converted to UTF-8 into a
 * string on the value stack, where a throw cannot leak it. */
static void member(duk_context *ctx, duk_idx_t val, const char *k,
                   duk_size_t klen, int depth, conv *c, json_t *obj) {
  val = duk_normalize_index(ctx, val);
  bool pushed = !ascii(k, klen);
  if (pushed) {
    json_t *key = vmc_string_to_json(k, klen);
    if (!key)
      return;
    duk_push_lstring(ctx, json_string_value(key), json_string_length(key));
    json_decref(key);
    k = duk_get_string(ctx, -1);
  }
  slot at = {NULL, obj, k};
  to_json(ctx, val, depth + 1, c, &at);
  if (pushed)
    duk_pop(ctx);
}

static void fill_object(duk_context *ctx, duk_idx_t idx, int depth, conv *c,
                        json_t *obj) {
  duk_enum(ctx, idx, DUK_ENUM_OWN_PROPERTIES_ONLY);
  while (!c->err && duk_next(ctx, -1, 1)) {
    duk_size_t klen;
    const char *k = duk_get_lstring(ctx, -2, &klen);
    member(ctx, -1, k, klen, depth, c, obj);
    duk_pop_2(ctx);
  }
  duk_pop(ctx);
}

/* A lazy item: fields the script never touched are shared with the
 * original JSON, touched ones are converted from the target, and keys the
 * script added follow in the order it added them. */
static void fill_item(duk_context *ctx, duk_idx_t idx, int depth, conv *c,
                      json_t *orig, json_t *out) {
  const char *k;
  json_t *v;
  json_object_foreach(orig, k, v) {
    if (c->err)
      break;
    if (!vmi_key_done(ctx, idx, k)) {
      json_object_set_nocheck(out, k, v);
      continue;
    }
    duk_get_prop_string(ctx, idx, k); /* undefined once deleted */
    member(ctx, -1, k, strlen(k), depth, c, out);
    duk_pop(ctx);
  }
  /* Keys the script added, in the order it added them. */
  vmi_push_target(ctx, idx);
  duk_enum(ctx, -1, DUK_ENUM_OWN_PROPERTIES_ONLY);
  while (!c->err && duk_next(ctx, -1, 1)) {
    duk_size_t klen;
    const char *key = duk_get_lstring(ctx, -2, &klen);
    if (!json_object_get(orig, key))
      member(ctx, -1, key, klen, depth, c, out);
    duk_pop_2(ctx);
  }
  duk_pop_2(ctx);
}

/* A value with a callable toJSON (Date, user classes) is replaced by
 * what it returns, as JSON.stringify does. */
static bool apply_to_json(duk_context *ctx, duk_idx_t idx) {
  duk_get_prop_string(ctx, idx, "toJSON");
  if (!duk_is_callable(ctx, -1)) {
    duk_pop(ctx);
    return false;
  }
  duk_dup(ctx, idx);
  duk_call_method(ctx, 0);
  return true;
}

static json_t *number_to_json(double d) {
  if (!isfinite(d))
    return json_null();
  if (d == floor(d) && fabs(d) < 9007199254740992.0)
    return json_integer((json_int_t)d);
  return json_real(d);
}

/* Scalars; false for objects (and nothing placed for undefined etc.). */
static bool scalar(duk_context *ctx, duk_idx_t idx, const slot *at,
                   bool *object) {
  *object = false;
  switch (duk_get_type(ctx, idx)) {
  case DUK_TYPE_NULL:
    place(at, json_null());
    return true;
  case DUK_TYPE_BOOLEAN:
    place(at, json_boolean(duk_get_boolean(ctx, idx)));
    return true;
  case DUK_TYPE_NUMBER:
    place(at, number_to_json(duk_get_number(ctx, idx)));
    return true;
  case DUK_TYPE_STRING: {
    duk_size_t n;
    const char *s = duk_get_lstring(ctx, idx, &n);
    place(at, vmc_string_to_json(s, n));
    return true;
  }
  case DUK_TYPE_OBJECT:
    *object = !duk_is_function(ctx, idx);
    return false;
  default: /* undefined, pointers, lightfuncs, plain buffers */
    return false;
  }
}

static void to_json(duk_context *ctx, duk_idx_t idx, int depth, conv *c,
                    const slot *at) {
  idx = duk_normalize_index(ctx, idx);
  if (depth > MAX_DEPTH) {
    c->err = "value is cyclic or nested deeper than 64 levels";
    return;
  }
  /* Each level keeps an enumerator, a key and a value on the stack; a C
   * function only has DUK_API_ENTRY_STACK (64) slots unless it asks. */
  duk_require_stack(ctx, 8);
  bool object;
  if (scalar(ctx, idx, at, &object) || !object)
    return;
  json_t *orig = vmi_json(ctx, idx);
  if (orig && !vmi_touched(ctx, idx)) {
    place(at, json_incref(orig)); /* untouched item: no conversion at all */
    return;
  }
  if (!orig && apply_to_json(ctx, idx)) {
    to_json(ctx, -1, depth + 1, c, at);
    duk_pop(ctx);
    return;
  }
  bool array = !orig && duk_is_array(ctx, idx);
  json_t *container = array ? json_array() : json_object();
  place(at, container);
  if (orig)
    fill_item(ctx, idx, depth, c, orig, container);
  else if (array)
    fill_array(ctx, idx, depth, c, container);
  else
    fill_object(ctx, idx, depth, c, container);
}

static duk_ret_t conv_safe(duk_context *ctx, void *udata) {
  conv *c = udata;
  slot at = {&c->root, NULL, NULL};
  to_json(ctx, c->idx, 0, c, &at);
  return 0;
}

int vmc_to_json(duk_context *ctx, duk_idx_t idx, json_t **out,
                const char **err) {
  conv c = {duk_normalize_index(ctx, idx), NULL, NULL};
  *out = NULL;
  *err = NULL;
  if (duk_safe_call(ctx, conv_safe, &c, 0, 1) != DUK_EXEC_SUCCESS) {
    json_decref(c.root);
    return -2; /* the error is on the stack top */
  }
  duk_pop(ctx);
  if (c.err) {
    json_decref(c.root);
    *err = c.err;
    return -1;
  }
  *out = c.root;
  return 0;
}
