/* The `request` and `response` objects of item-model §5-§7, built from a
 * complete message and its decoded body.  Every string goes through
 * h1_jstr so that it is valid UTF-8; keys of headers, cookies and
 * queryString are inserted in byte order. */
#include "config.h"

#include "dissect/http1_internal.h"

#include <stdlib.h>
#include <string.h>

json_t *h1_json_headers(const h1_msg *m) {
  json_t *obj = json_object();
  for (size_t i = 0; obj && i < m->nhdrs; i++) {
    const h1_hdr *h = &m->hdrs[i];
    if (h1_obj_join(obj, h->name, h->name_len,
                    h1_jstr(h->value, h->value_len)) < 0) {
      json_decref(obj);
      return NULL;
    }
  }
  return obj ? h1_obj_sorted(obj) : NULL;
}

/* Sets key; a NULL value (out of memory) marks the object as failed. */
static void put(json_t *o, const char *key, json_t *v, bool *ok) {
  if (json_object_set_new(o, key, v) < 0)
    *ok = false;
}

static json_t *version_str(const h1_msg *m) {
  return json_string(m->minor ? "HTTP/1.1" : "HTTP/1.0");
}

/* Length of a URI scheme followed by "://" at t, 0 if there is none. */
static size_t scheme_len(const char *t, size_t n) {
  size_t i = 0;
  if (!n || !((t[0] | 0x20) >= 'a' && (t[0] | 0x20) <= 'z'))
    return 0;
  while (i < n && (((t[i] | 0x20) >= 'a' && (t[i] | 0x20) <= 'z') ||
                   (t[i] >= '0' && t[i] <= '9') || t[i] == '+' || t[i] == '-' ||
                   t[i] == '.'))
    i++;
  return n - i >= 3 && memcmp(t + i, "://", 3) == 0 ? i + 3 : 0;
}

/* The raw path part of the target: origin-form up to '?', or the path of
 * an absolute URI.  False when the target is not one of those. */
static bool raw_path(const char *t, size_t n, const char **p, size_t *pn) {
  const char *end = t + n;
  if (n && t[0] == '/') {
    *p = t;
  } else {
    size_t s = scheme_len(t, n);
    if (!s)
      return false;
    const char *a = t + s;
    while (a < end && *a != '/' && *a != '?')
      a++;
    *p = a;
  }
  const char *q = memchr(*p, '?', (size_t)(end - *p));
  *pn = (size_t)((q ? q : end) - *p);
  return true;
}

/* path and pathSegments (§5): decoded; the target as sent when it cannot
 * be parsed (CONNECT authority, a bad escape). */
static void put_path(json_t *o, const h1_msg *m, bool *ok) {
  const char *p = m->target, *rp;
  size_t pn = m->target_len, rn;
  char *s = NULL;
  bool star = pn == 1 && p[0] == '*';
  if (!star && raw_path(m->target, m->target_len, &rp, &rn) &&
      (s = malloc(rn + 1)) != NULL) {
    bool bad = false;
    memcpy(s, rp, rn);
    size_t dn = h1_unescape(s, rn, false, &bad);
    if (!bad) {
      p = s;
      pn = dn;
    }
  }
  json_t *segs = json_array();
  const char *end = p + pn, *slash = memchr(p, '/', pn);
  while (segs && slash) {
    const char *seg = slash + 1;
    slash = memchr(seg, '/', (size_t)(end - seg));
    json_array_append_new(segs,
                          h1_jstr(seg, (size_t)((slash ? slash : end) - seg)));
  }
  put(o, "path", h1_jstr(p, pn), ok);
  put(o, "pathSegments", segs, ok);
  free(s);
}

static json_t *query_of(const h1_msg *m) {
  const char *q = memchr(m->target, '?', m->target_len);
  if (!q)
    return json_object();
  return h1_query_object(q + 1, m->target_len - (size_t)(q - m->target) - 1);
}

/* Media type of Content-Type: parameters dropped, lower-cased. */
static char *media_type(const h1_msg *m, size_t *len) {
  const h1_hdr *h = h1_hdr_find(m, "Content-Type");
  const char *v = h ? h->value : "";
  size_t n = h ? h->value_len : 0;
  const char *semi = memchr(v, ';', n);
  if (semi)
    n = (size_t)(semi - v);
  while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
    n--;
  char *s = malloc(n + 1);
  if (!s)
    return NULL;
  for (size_t i = 0; i < n; i++)
    s[i] = v[i] >= 'A' && v[i] <= 'Z' ? (char)(v[i] | 0x20) : v[i];
  s[n] = '\0';
  *len = n;
  return s;
}

static json_t *post_params(const h1_msg *m, const char *mime,
                           const h1_content *b) {
  if (strcmp(mime, "application/x-www-form-urlencoded") == 0)
    return h1_urlencoded_params(b->data, b->len);
  if (strcmp(mime, "multipart/form-data") == 0) {
    const h1_hdr *h = h1_hdr_find(m, "Content-Type");
    return h1_multipart_params(b->data, b->len, h->value, h->value_len);
  }
  return json_array();
}

static json_t *post_data(const h1_msg *m, const h1_content *body) {
  /* never a NULL pointer, even for an empty body */
  h1_content nonnull = {body->data ? body->data : (uint8_t *)"", body->len,
                        body->truncated};
  const h1_content *b = &nonnull;
  size_t mlen = 0;
  char *mime = media_type(m, &mlen);
  json_t *o = json_object();
  bool ok = mime && o;
  if (ok) {
    put(o, "mimeType", h1_jstr(mime, mlen), &ok);
    put(o, "params", post_params(m, mime, b), &ok);
    if (h1_utf8_valid(b->data, b->len))
      put(o, "text",
          json_stringn_nocheck(b->len ? (char *)b->data : "", b->len), &ok);
    else {
      put(o, "text", h1_base64(b->data, b->len), &ok);
      put(o, "encoding", json_string("base64"), &ok);
    }
    if (b->truncated)
      put(o, "truncated", json_true(), &ok);
  }
  free(mime);
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}

json_t *h1_json_request(const h1_msg *m, const h1_content *body) {
  json_t *o = json_object();
  if (!o)
    return NULL;
  bool ok = true;
  put(o, "method", h1_jstr(m->method, m->method_len), &ok);
  put(o, "url", h1_jstr(m->target, m->target_len), &ok);
  put(o, "targetUri", h1_jstr(m->target, m->target_len), &ok);
  put_path(o, m, &ok);
  put(o, "httpVersion", version_str(m), &ok);
  put(o, "headers", h1_json_headers(m), &ok);
  put(o, "cookies", h1_request_cookies(m), &ok);
  put(o, "queryString", query_of(m), &ok);
  if (m->has_body)
    put(o, "postData", post_data(m, body), &ok);
  put(o, "headersSize", json_integer((json_int_t)m->headers_size), &ok);
  put(o, "bodySize", json_integer((json_int_t)m->body_size), &ok);
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static json_t *content(const h1_msg *m, const h1_content *b) {
  const h1_hdr *ct = h1_hdr_find(m, "Content-Type");
  json_t *o = json_object();
  bool ok = o != NULL;
  if (ok) {
    put(o, "size", json_integer((json_int_t)b->len), &ok);
    put(o, "mimeType", ct ? h1_jstr(ct->value, ct->value_len) : json_string(""),
        &ok);
    put(o, "encoding", json_string("base64"), &ok);
    if (b->len)
      put(o, "text", h1_base64(b->data, b->len), &ok);
    if (b->truncated)
      put(o, "truncated", json_true(), &ok);
  }
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}

json_t *h1_json_response(const h1_msg *m, const h1_content *body) {
  json_t *o = json_object();
  if (!o)
    return NULL;
  bool ok = true;
  const char *phrase = h1_reason_phrase(m->status);
  const h1_hdr *loc = h1_hdr_find(m, "Location");
  put(o, "status", json_integer(m->status), &ok);
  put(o, "statusText",
      phrase ? json_string(phrase) : h1_jstr(m->reason, m->reason_len), &ok);
  put(o, "httpVersion", version_str(m), &ok);
  put(o, "headers", h1_json_headers(m), &ok);
  put(o, "cookies", h1_response_cookies(m), &ok);
  put(o, "content", content(m, body), &ok);
  put(o, "redirectURL",
      loc ? h1_jstr(loc->value, loc->value_len) : json_string(""), &ok);
  put(o, "headersSize", json_integer((json_int_t)m->headers_size), &ok);
  put(o, "bodySize", json_integer((json_int_t)m->body_size), &ok);
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}
