/* redact() paths (kfl.md §5): "a.b", "a.*", "a[0]", "a[\"k\"]", "..name",
 * and ".json()" hops that rewrite inside an encoded string (re-encoded,
 * base64 kept).  An ".xml()" hop replaces the whole encoded string. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "kfl_int.h"

typedef enum { R_KEY, R_INDEX, R_WILD, R_RDESC, R_JSON, R_XML } rtype;
typedef struct {
  rtype type;
  char *key;
  size_t index;
} rseg;

#define RMAX 64

static int parse_path(const char *s, rseg *segs) {
  int n = 0;
  while (*s && n < RMAX) {
    if (s[0] == '.' && s[1] == '.') {
      s += 2;
      const char *b = s;
      while (*s && *s != '.' && *s != '[')
        s++;
      segs[n].type = R_RDESC;
      segs[n++].key = strndup(b, (size_t)(s - b));
    } else if (*s == '.') {
      s++;
    } else if (*s == '[') {
      s++;
      if (*s == '"' || *s == '\'') {
        char q = *s++;
        const char *b = s;
        while (*s && *s != q)
          s++;
        segs[n].type = R_KEY;
        segs[n++].key = strndup(b, (size_t)(s - b));
        if (*s)
          s++;
      } else if (*s == '*') {
        segs[n++].type = R_WILD;
        s++;
      } else {
        segs[n].type = R_INDEX;
        segs[n].key = NULL;
        segs[n++].index = (size_t)strtoul(s, (char **)&s, 10);
      }
      while (*s && *s != ']')
        s++;
      if (*s)
        s++;
    } else {
      const char *b = s;
      while (*s && *s != '.' && *s != '[')
        s++;
      size_t l = (size_t)(s - b);
      segs[n].key = NULL;
      if (l == 6 && !memcmp(b, "json()", 6))
        segs[n++].type = R_JSON;
      else if (l == 5 && !memcmp(b, "xml()", 5))
        segs[n++].type = R_XML;
      else if (l == 1 && *b == '*')
        segs[n++].type = R_WILD;
      else {
        segs[n].type = R_KEY;
        segs[n++].key = strndup(b, l);
      }
    }
  }
  return n;
}

static void apply(json_t *node, rseg *segs, int n, int i, int depth);

static void set_child(json_t *cont, const char *key, size_t idx, json_t *v) {
  if (key)
    json_object_set_new(cont, key, v);
  else
    json_array_set_new(cont, idx, v);
}

/* child is cont[key or idx], reached by segs[i]. */
static void handle(json_t *cont, const char *key, size_t idx, json_t *child,
                   rseg *segs, int n, int i, int depth) {
  if (i == n - 1) {
    set_child(cont, key, idx, json_string("[REDACTED]"));
    return;
  }
  if (segs[i + 1].type == R_JSON || segs[i + 1].type == R_XML) {
    if (!json_is_string(child))
      return;
    if (i + 2 >= n || segs[i + 1].type == R_XML) {
      set_child(cont, key, idx, json_string("[REDACTED]"));
      return;
    }
    const char *s = json_string_value(child);
    size_t len = json_string_length(child), dl = 0;
    unsigned char *dec = kfl_base64_decode(s, len, &dl);
    json_t *doc = dec ? json_loadb((const char *)dec, dl, JSON_DECODE_ANY, NULL)
                      : json_loadb(s, len, JSON_DECODE_ANY, NULL);
    if (!doc && dec)
      doc = json_loadb(s, len, JSON_DECODE_ANY, NULL), free(dec), dec = NULL;
    if (doc) {
      apply(doc, segs, n, i + 2, depth + 1);
      char *out = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
      if (out) {
        if (dec) {
          char *enc = kfl_base64_encode((unsigned char *)out, strlen(out));
          if (enc)
            set_child(cont, key, idx, json_string(enc));
          free(enc);
        } else {
          set_child(cont, key, idx, json_string(out));
        }
        free(out);
      }
      json_decref(doc);
    }
    free(dec);
    return;
  }
  apply(child, segs, n, i + 1, depth + 1);
}

static void rdesc(json_t *node, rseg *segs, int n, int i, int depth) {
  if (depth > 4096)
    return;
  if (json_is_object(node)) {
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(node, tmp, k, v) {
      if (!strcmp(k, segs[i].key))
        handle(node, k, 0, v, segs, n, i, depth);
      else
        rdesc(v, segs, n, i, depth + 1);
    }
  } else if (json_is_array(node)) {
    for (size_t j = 0; j < json_array_size(node); j++)
      rdesc(json_array_get(node, j), segs, n, i, depth + 1);
  }
}

static void apply(json_t *node, rseg *segs, int n, int i, int depth) {
  if (i >= n || depth > 4096)
    return;
  rseg *s = &segs[i];
  switch (s->type) {
  case R_KEY: {
    json_t *c = json_object_get(node, s->key);
    if (c)
      handle(node, s->key, 0, c, segs, n, i, depth);
    break;
  }
  case R_INDEX: {
    json_t *c = json_array_get(node, s->index);
    if (c)
      handle(node, NULL, s->index, c, segs, n, i, depth);
    break;
  }
  case R_WILD:
    if (json_is_array(node)) {
      for (size_t j = 0; j < json_array_size(node); j++)
        handle(node, NULL, j, json_array_get(node, j), segs, n, i, depth);
    } else if (json_is_object(node)) {
      const char *k;
      json_t *v;
      void *tmp;
      json_object_foreach_safe(node, tmp, k, v)
          handle(node, k, 0, v, segs, n, i, depth);
    }
    break;
  case R_RDESC:
    rdesc(node, segs, n, i, depth);
    break;
  default:
    break; /* a hop without a preceding key */
  }
}

void kfl_redact_path(json_t *v, const char *path) {
  rseg segs[RMAX];
  memset(segs, 0, sizeof segs);
  int n = parse_path(path, segs);
  bool ok = true;
  for (int i = 0; i < n; i++)
    if ((segs[i].type == R_KEY || segs[i].type == R_RDESC) && !segs[i].key)
      ok = false;
  if (ok && n > 0)
    apply(v, segs, n, 0, 0);
  for (int i = 0; i < n; i++)
    free(segs[i].key);
}
