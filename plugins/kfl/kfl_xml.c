/* A minimal XML reader for KFL's xml() (kfl.md §3): elements become
 * object keys, repeated elements arrays, leaf elements their text.
 * Attributes, namespaces and processing instructions are ignored. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "kfl_int.h"

typedef struct {
  const char *p, *end;
  int depth;
} xr;

static void skip_ws(xr *x) {
  while (x->p < x->end && isspace((unsigned char)*x->p))
    x->p++;
}

static bool starts(xr *x, const char *s) {
  size_t n = strlen(s);
  return (size_t)(x->end - x->p) >= n && !memcmp(x->p, s, n);
}

static bool skip_past(xr *x, const char *s) {
  size_t n = strlen(s);
  while ((size_t)(x->end - x->p) >= n) {
    if (!memcmp(x->p, s, n)) {
      x->p += n;
      return true;
    }
    x->p++;
  }
  return false;
}

/* Skips comments, PIs and declarations; false on a truncated one. */
static bool skip_misc(xr *x) {
  for (;;) {
    skip_ws(x);
    if (starts(x, "<?")) {
      if (!skip_past(x, "?>"))
        return false;
    } else if (starts(x, "<!--")) {
      if (!skip_past(x, "-->"))
        return false;
    } else if (starts(x, "<!") && !starts(x, "<![CDATA[")) {
      if (!skip_past(x, ">"))
        return false;
    } else {
      return true;
    }
  }
}

static void append_text(char **buf, size_t *n, const char *s, size_t len) {
  char *nb = realloc(*buf, *n + len + 1);
  if (!nb)
    return;
  *buf = nb;
  size_t o = *n;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '&') {
      static const char *ents[][2] = {{"&lt;", "<"},
                                      {"&gt;", ">"},
                                      {"&amp;", "&"},
                                      {"&quot;", "\""},
                                      {"&apos;", "'"}};
      bool done = false;
      for (size_t k = 0; k < 5; k++) {
        size_t el = strlen(ents[k][0]);
        if (len - i >= el && !memcmp(s + i, ents[k][0], el)) {
          nb[o++] = ents[k][1][0];
          i += el - 1;
          done = true;
          break;
        }
      }
      if (done)
        continue;
    }
    nb[o++] = s[i];
  }
  nb[o] = '\0';
  *n = o;
}

static void add_child(json_t *obj, const char *name, json_t *v) {
  json_t *old = json_object_get(obj, name);
  if (!old) {
    json_object_set_new(obj, name, v);
  } else if (json_is_array(old)) {
    json_array_append_new(old, v);
  } else {
    json_t *arr = json_array();
    json_array_append(arr, old);
    json_array_append_new(arr, v);
    json_object_set_new(obj, name, arr);
  }
}

/* Parses one element at x->p ('<'); returns its value and its name. */
static json_t *element(xr *x, char **name_out) {
  if (++x->depth > KFL_MAX_DEPTH || x->p >= x->end || *x->p != '<')
    return NULL;
  x->p++;
  const char *ns = x->p;
  while (x->p < x->end && !isspace((unsigned char)*x->p) && *x->p != '>' &&
         *x->p != '/')
    x->p++;
  size_t nlen = (size_t)(x->p - ns);
  if (!nlen)
    return NULL;
  /* attributes: skipped, honouring quotes */
  while (x->p < x->end && *x->p != '>' && *x->p != '/') {
    if (*x->p == '"' || *x->p == '\'') {
      char q = *x->p++;
      while (x->p < x->end && *x->p != q)
        x->p++;
    }
    if (x->p < x->end)
      x->p++;
  }
  if (x->p >= x->end)
    return NULL;
  char *name = malloc(nlen + 1);
  if (!name)
    return NULL;
  memcpy(name, ns, nlen);
  name[nlen] = '\0';
  if (*x->p == '/') {
    if (x->end - x->p < 2 || x->p[1] != '>') {
      free(name);
      return NULL;
    }
    x->p += 2;
    x->depth--;
    *name_out = name;
    return json_string("");
  }
  x->p++; /* '>' */
  json_t *obj = NULL;
  char *text = NULL;
  size_t tlen = 0;
  for (;;) {
    if (x->p >= x->end)
      goto bad;
    if (starts(x, "</")) {
      x->p += 2;
      if ((size_t)(x->end - x->p) < nlen || memcmp(x->p, name, nlen))
        goto bad;
      x->p += nlen;
      skip_ws(x);
      if (x->p >= x->end || *x->p != '>')
        goto bad;
      x->p++;
      break;
    }
    if (starts(x, "<![CDATA[")) {
      x->p += 9;
      const char *s = x->p;
      if (!skip_past(x, "]]>"))
        goto bad;
      size_t l = (size_t)(x->p - 3 - s);
      char *nb = realloc(text, tlen + l + 1);
      if (!nb)
        goto bad;
      text = nb;
      memcpy(text + tlen, s, l);
      tlen += l;
      text[tlen] = '\0';
      continue;
    }
    if (starts(x, "<!--") || starts(x, "<?")) {
      if (!skip_past(x, starts(x, "<?") ? "?>" : "-->"))
        goto bad;
      continue;
    }
    if (*x->p == '<') {
      char *cn = NULL;
      json_t *c = element(x, &cn);
      if (!c)
        goto bad;
      if (!obj)
        obj = json_object();
      add_child(obj, cn, c);
      free(cn);
      continue;
    }
    const char *s = x->p;
    while (x->p < x->end && *x->p != '<')
      x->p++;
    append_text(&text, &tlen, s, (size_t)(x->p - s));
  }
  x->depth--;
  *name_out = name;
  if (obj) {
    free(text);
    return obj;
  }
  json_t *r = json_stringn(text ? text : "", tlen);
  free(text);
  return r ? r : json_string("");
bad:
  free(name);
  free(text);
  json_decref(obj);
  return NULL;
}

json_t *kfl_xml_parse(const char *s, size_t len) {
  xr x = {s, s + len, 0};
  if (!skip_misc(&x))
    return NULL;
  char *name = NULL;
  json_t *v = element(&x, &name);
  if (!v)
    return NULL;
  if (!skip_misc(&x) || x.p != x.end) {
    free(name);
    json_decref(v);
    return NULL;
  }
  json_t *root = json_object();
  json_object_set_new(root, name, v);
  free(name);
  return root;
}
