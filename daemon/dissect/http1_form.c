/* Name/value data carried by HTTP messages: query strings, url-encoded
 * and multipart form bodies, Cookie and Set-Cookie headers, and header
 * parameters (`; name="x"`). */
#include "config.h"

#include "dissect/http1_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void trim(const char **p, size_t *n) {
  while (*n && (**p == ' ' || **p == '\t')) {
    (*p)++;
    (*n)--;
  }
  while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
    (*n)--;
}

/* Decodes one form component ('+' is a space) to a JSON string. */
static json_t *form_str(const char *p, size_t n) {
  char *s = malloc(n + 1);
  if (!s)
    return NULL;
  memcpy(s, p, n);
  n = h1_unescape(s, n, true, NULL);
  json_t *j = h1_jstr(s, n);
  free(s);
  return j;
}

/* Calls fn for each non-empty `name[=value]` piece split on '&'. */
static int each_pair(const char *q, size_t len,
                     int (*fn)(void *, json_t *, json_t *), void *arg) {
  const char *end = q + len;
  while (q < end) {
    const char *amp = memchr(q, '&', (size_t)(end - q));
    const char *e = amp ? amp : end;
    if (e > q) {
      const char *eq = memchr(q, '=', (size_t)(e - q));
      json_t *name = form_str(q, (size_t)((eq ? eq : e) - q));
      json_t *value =
          eq ? form_str(eq + 1, (size_t)(e - eq - 1)) : json_string("");
      if (!name || !value || fn(arg, name, value) < 0) {
        json_decref(name);
        json_decref(value);
        return -1;
      }
    }
    q = amp ? amp + 1 : end;
  }
  return 0;
}

/* A repeated name maps to an array of its values in order. */
static int query_add(void *arg, json_t *name, json_t *value) {
  json_t *obj = arg;
  char *k = h1_key(json_string_value(name), json_string_length(name));
  json_decref(name);
  if (!k) {
    json_decref(value);
    return -1;
  }
  json_t *old = json_object_get(obj, k);
  int rc;
  if (!old)
    rc = json_object_set_new(obj, k, value);
  else if (json_is_array(old))
    rc = json_array_append_new(old, value);
  else {
    json_t *arr = json_pack("[O o]", old, value);
    rc = arr ? json_object_set_new(obj, k, arr) : -1;
  }
  free(k);
  return rc;
}

json_t *h1_query_object(const char *q, size_t len) {
  json_t *obj = json_object();
  if (!obj || each_pair(q, len, query_add, obj) < 0) {
    json_decref(obj);
    return NULL;
  }
  return h1_obj_sorted(obj);
}

static int param_add(void *arg, json_t *name, json_t *value) {
  return json_array_append_new(
      arg, json_pack("{s o s o}", "name", name, "value", value));
}

json_t *h1_urlencoded_params(const uint8_t *body, size_t len) {
  json_t *arr = json_array();
  if (!arr || each_pair((const char *)body, len, param_add, arr) < 0) {
    json_decref(arr);
    return NULL;
  }
  return arr;
}

/* Copies a parameter value, removing quotes and backslash escapes. */
static char *unquote(const char *v, size_t n, size_t *out_len) {
  char *out = malloc(n + 1), *o = out;
  if (!out)
    return NULL;
  if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
    for (size_t i = 1; i + 1 < n; i++) {
      if (v[i] == '\\' && i + 2 < n)
        i++;
      *o++ = v[i];
    }
  } else {
    memcpy(o, v, n);
    o += n;
  }
  *o = '\0';
  *out_len = (size_t)(o - out);
  return out;
}

/* End of the `;`-separated element at p (quoted strings respected). */
static const char *param_end(const char *p, const char *end) {
  bool quoted = false;
  for (; p < end; p++) {
    if (quoted && *p == '\\' && p + 1 < end)
      p++;
    else if (*p == '"')
      quoted = !quoted;
    else if (*p == ';' && !quoted)
      return p;
  }
  return end;
}

char *h1_header_param(const char *v, size_t len, const char *key,
                      size_t *out_len) {
  const char *end = v + len, *p = param_end(v, end);
  size_t klen = strlen(key);
  while (p < end) {
    const char *s = p + 1, *e = param_end(s, end);
    const char *eq = memchr(s, '=', (size_t)(e - s));
    if (eq) {
      const char *k = s, *val = eq + 1;
      size_t kn = (size_t)(eq - s), vn = (size_t)(e - val);
      trim(&k, &kn);
      trim(&val, &vn);
      if (kn == klen && strncasecmp(k, key, klen) == 0)
        return unquote(val, vn, out_len);
    }
    p = e;
  }
  return NULL;
}

/* ---- multipart/form-data ---- */

typedef struct part {
  const char *disp, *ctype;
  size_t disp_len, ctype_len;
} part;

static void part_headers(const char *p, const char *end, part *pt) {
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *e = nl ? nl : end, *colon = memchr(p, ':', (size_t)(e - p));
    if (colon) {
      const char *v = colon + 1;
      size_t vn = (size_t)(e - v), nn = (size_t)(colon - p);
      if (vn && v[vn - 1] == '\r')
        vn--;
      trim(&v, &vn);
      if (nn == 19 && strncasecmp(p, "Content-Disposition", 19) == 0) {
        pt->disp = v;
        pt->disp_len = vn;
      } else if (nn == 12 && strncasecmp(p, "Content-Type", 12) == 0) {
        pt->ctype = v;
        pt->ctype_len = vn;
      }
    }
    p = nl ? nl + 1 : end;
  }
}

static int set_param(json_t *obj, const char *key, const part *pt,
                     const char *name) {
  size_t n;
  char *v = h1_header_param(pt->disp ? pt->disp : "", pt->disp_len, name, &n);
  if (!v)
    return strcmp(key, "name") == 0
               ? json_object_set_new(obj, key, json_string(""))
               : 0;
  int rc = json_object_set_new(obj, key, h1_jstr(v, n));
  free(v);
  return rc;
}

static json_t *part_object(const char *h, const char *h_end, const char *b,
                           size_t b_len) {
  part pt = {NULL, NULL, 0, 0};
  part_headers(h, h_end, &pt);
  json_t *o = json_object();
  if (!o || set_param(o, "name", &pt, "name") < 0 ||
      json_object_set_new(o, "value", h1_jstr(b, b_len)) < 0 ||
      set_param(o, "fileName", &pt, "filename") < 0 ||
      (pt.ctype && json_object_set_new(o, "contentType",
                                       h1_jstr(pt.ctype, pt.ctype_len)) < 0)) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* Next delimiter line "--boundary" at or after p, at a line start. */
static const char *find_delim(const char *p, const char *start, const char *end,
                              const char *delim, size_t dn) {
  while (p < end) {
    const char *f = memmem(p, (size_t)(end - p), delim, dn);
    if (!f || f == start || f[-1] == '\n')
      return f;
    p = f + 1;
  }
  return NULL;
}

/* Parses the part after the delimiter at *pp; returns the object, or NULL
 * at the end (closing delimiter, or an incomplete part). */
static json_t *next_part(const char **pp, const char *start, const char *end,
                         const char *delim, size_t dn) {
  const char *p = *pp + dn;
  if (end - p >= 2 && p[0] == '-' && p[1] == '-')
    return NULL;
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  if (!nl)
    return NULL;
  const char *h = nl + 1, *h_end = h;
  size_t scan = 0;
  if (h < end && (*h == '\n' || (*h == '\r' && end - h >= 2 && h[1] == '\n')))
    h_end = h; /* no part headers */
  else {
    size_t e = h1_header_end((const uint8_t *)h, (size_t)(end - h), &scan);
    if (!e)
      return NULL;
    h_end = h + e - 1;
  }
  const char *b = memchr(h_end, '\n', (size_t)(end - h_end));
  if (!b)
    return NULL;
  b++;
  const char *next = find_delim(b, start, end, delim, dn);
  if (!next)
    return NULL;            /* cut by truncation: left out */
  const char *b_end = next; /* the line break before "--" is the delimiter's */
  if (b_end > b)
    b_end--;
  if (b_end > b && b_end[-1] == '\r')
    b_end--;
  *pp = next;
  return part_object(h, h_end, b, (size_t)(b_end - b));
}

json_t *h1_multipart_params(const uint8_t *body, size_t len, const char *ctype,
                            size_t ctype_len) {
  size_t bn;
  char *boundary = h1_header_param(ctype, ctype_len, "boundary", &bn);
  json_t *arr = json_array();
  char *delim = boundary && arr ? malloc(bn + 3) : NULL;
  if (!delim) {
    free(boundary);
    return arr;
  }
  memcpy(delim, "--", 2);
  memcpy(delim + 2, boundary, bn + 1);
  const char *start = (const char *)body, *end = start + len;
  const char *p = find_delim(start, start, end, delim, bn + 2);
  json_t *o;
  while (p && (o = next_part(&p, start, end, delim, bn + 2)))
    json_array_append_new(arr, o);
  free(delim);
  free(boundary);
  return arr;
}

/* ---- cookies ---- */

static int add_cookie(json_t *obj, const char *p, size_t n) {
  const char *eq = memchr(p, '=', n);
  if (!eq)
    return 0;
  const char *name = p, *val = eq + 1;
  size_t nn = (size_t)(eq - p), vn = n - nn - 1;
  trim(&name, &nn);
  trim(&val, &vn);
  if (!nn)
    return 0;
  if (vn >= 2 && val[0] == '"' && val[vn - 1] == '"') {
    val++;
    vn -= 2;
  }
  return h1_obj_join(obj, name, nn, h1_jstr(val, vn));
}

json_t *h1_request_cookies(const h1_msg *m) {
  json_t *obj = json_object();
  for (size_t i = 0; obj && i < m->nhdrs; i++) {
    const h1_hdr *h = &m->hdrs[i];
    if (h->name_len != 6 || memcmp(h->name, "Cookie", 6) != 0)
      continue;
    const char *p = h->value, *end = p + h->value_len;
    while (p < end) {
      const char *semi = memchr(p, ';', (size_t)(end - p));
      const char *e = semi ? semi : end;
      add_cookie(obj, p, (size_t)(e - p));
      p = semi ? semi + 1 : end;
    }
  }
  return obj ? h1_obj_sorted(obj) : NULL;
}

json_t *h1_response_cookies(const h1_msg *m) {
  json_t *obj = json_object();
  for (size_t i = 0; obj && i < m->nhdrs; i++) {
    const h1_hdr *h = &m->hdrs[i];
    if (h->name_len != 10 || memcmp(h->name, "Set-Cookie", 10) != 0)
      continue;
    const char *semi = memchr(h->value, ';', h->value_len);
    add_cookie(obj, h->value, semi ? (size_t)(semi - h->value) : h->value_len);
  }
  return obj ? h1_obj_sorted(obj) : NULL;
}
