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
  size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3
                                            : (c >> 3) == 30 ? 4 : 0;
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

static json_t *to_json(duk_context *ctx, duk_idx_t idx, int depth,
                       const char **err);

static json_t *array_to_json(duk_context *ctx, duk_idx_t idx, int depth,
                             const char **err) {
  json_t *arr = json_array();
  duk_size_t n = duk_get_length(ctx, idx);
  for (duk_size_t i = 0; i < n && !*err; i++) {
    duk_get_prop_index(ctx, idx, (duk_uarridx_t)i);
    json_t *v = to_json(ctx, -1, depth + 1, err);
    duk_pop(ctx);
    json_array_append_new(arr, v ? v : json_null());
  }
  return arr;
}

static json_t *object_to_json(duk_context *ctx, duk_idx_t idx, int depth,
                              const char **err) {
  json_t *obj = json_object();
  duk_enum(ctx, idx, DUK_ENUM_OWN_PROPERTIES_ONLY);
  while (!*err && duk_next(ctx, -1, 1)) {
    json_t *v = to_json(ctx, -1, depth + 1, err);
    if (v) {
      duk_size_t klen;
      const char *k = duk_get_lstring(ctx, -2, &klen);
      json_t *key = vmc_string_to_json(k, klen);
      if (key)
        json_object_set_new_nocheck(obj, json_string_value(key), v);
      else
        json_decref(v);
      json_decref(key);
    }
    duk_pop_2(ctx);
  }
  duk_pop(ctx);
  return obj;
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

static json_t *to_json(duk_context *ctx, duk_idx_t idx, int depth,
                       const char **err) {
  idx = duk_normalize_index(ctx, idx);
  if (depth > MAX_DEPTH) {
    *err = "value is cyclic or nested deeper than 64 levels";
    return NULL;
  }
  switch (duk_get_type(ctx, idx)) {
  case DUK_TYPE_NULL:
    return json_null();
  case DUK_TYPE_BOOLEAN:
    return json_boolean(duk_get_boolean(ctx, idx));
  case DUK_TYPE_NUMBER:
    return number_to_json(duk_get_number(ctx, idx));
  case DUK_TYPE_STRING: {
    duk_size_t n;
    const char *s = duk_get_lstring(ctx, idx, &n);
    return vmc_string_to_json(s, n);
  }
  case DUK_TYPE_OBJECT:
    break;
  default: /* undefined, pointers, lightfuncs, buffers */
    return NULL;
  }
  if (duk_is_function(ctx, idx))
    return NULL;
  bool is_item = false;
  json_t *item = vmi_to_json(ctx, idx, &is_item, depth, err);
  if (is_item)
    return item;
  if (apply_to_json(ctx, idx)) {
    json_t *v = to_json(ctx, -1, depth + 1, err);
    duk_pop(ctx);
    return v;
  }
  if (duk_is_array(ctx, idx))
    return array_to_json(ctx, idx, depth, err);
  return object_to_json(ctx, idx, depth, err);
}

json_t *vmc_to_json(duk_context *ctx, duk_idx_t idx, const char **err) {
  *err = NULL;
  json_t *j = to_json(ctx, idx, 0, err);
  if (*err) {
    json_decref(j);
    return NULL;
  }
  return j;
}

json_t *vmc_to_json_depth(duk_context *ctx, duk_idx_t idx, int depth,
                          const char **err) {
  return to_json(ctx, idx, depth, err);
}
