/* Line protocol: escaping by element, flattening of nested objects, and
 * the order InfluxDB recommends (keys sorted). */
#include "config.h"

#include "line_protocol.h"

#include <stdlib.h>
#include <string.h>

/* Characters escaped with a backslash in each kind of element. */
static const char measurement_specials[] = ", ";
static const char key_specials[] = ",= "; /* tag keys and values, field keys */

typedef struct entry {
  char *key; /* owned */
  const json_t *value;
  size_t order; /* position in the input, for stable sorting */
} entry;

typedef struct entries {
  entry *items;
  size_t n, cap;
  bool failed;
} entries;

/* Characters after which InfluxDB's parser takes a backslash for an
 * escape, whatever the element (1.x reads "a\\=b" as "a=b" even in a
 * measurement, and a trailing backslash swallows the separator). */
static const char escape_followers[] = ",= \"";

/* LF, CR and TAB as spaces; then, from the end, each backslash that ends
 * the text or stands before an escape follower as a space (so a run of
 * them goes whole).  Returns a new string or NULL. */
static char *normalise(const char *s, size_t n) {
  char *t = malloc(n + 1);
  if (!t)
    return NULL;
  for (size_t i = 0; i < n; i++)
    t[i] = s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i];
  t[n] = '\0';
  for (size_t i = n; i-- > 0;)
    if (t[i] == '\\' && (i + 1 == n || strchr(escape_followers, t[i + 1])))
      t[i] = ' ';
  return t;
}

static void put_escaped(vh_buf *out, const char *s, size_t n,
                        const char *specials) {
  char *t = normalise(s, n);
  if (!t) {
    out->failed = true;
    return;
  }
  for (size_t i = 0; i < n; i++) {
    if (t[i] && strchr(specials, t[i]))
      vh_buf_add(out, "\\", 1);
    vh_buf_add(out, &t[i], 1);
  }
  free(t);
}

static void put_string_field(vh_buf *out, const char *s, size_t n) {
  vh_buf_add(out, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    char ch = s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i];
    if (ch == '"' || ch == '\\')
      vh_buf_add(out, "\\", 1);
    vh_buf_add(out, &ch, 1);
  }
  vh_buf_add(out, "\"", 1);
}

/* ---- collecting and sorting ---- */

static void push(entries *e, const char *key, size_t klen,
                 const json_t *value) {
  if (e->failed || klen == 0) /* an empty key cannot be written */
    return;
  if (e->n == e->cap) {
    size_t cap = e->cap ? e->cap * 2 : 16;
    entry *items = realloc(e->items, cap * sizeof *items);
    if (!items) {
      e->failed = true;
      return;
    }
    e->items = items;
    e->cap = cap;
  }
  char *k = malloc(klen + 1);
  if (!k) {
    e->failed = true;
    return;
  }
  memcpy(k, key, klen);
  k[klen] = '\0';
  e->items[e->n] = (entry){k, value, e->n};
  e->n++;
}

static int by_key(const void *a, const void *b) {
  const entry *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* Sorted by key; of entries with one key, the last given is kept. */
static void sort_unique(entries *e) {
  qsort(e->items, e->n, sizeof *e->items, by_key);
  size_t j = 0;
  for (size_t i = 0; i < e->n; i++) {
    if (i + 1 < e->n && !strcmp(e->items[i].key, e->items[i + 1].key)) {
      free(e->items[i].key);
      continue;
    }
    e->items[j++] = e->items[i];
  }
  e->n = j;
}

static void entries_free(entries *e) {
  for (size_t i = 0; i < e->n; i++)
    free(e->items[i].key);
  free(e->items);
}

static bool usable_field(const json_t *v) {
  return json_is_number(v) || json_is_boolean(v) || json_is_string(v);
}

/* Fields of an object, nested objects flattened with dotted keys. */
static void flatten(entries *e, vh_buf *prefix, const json_t *obj) {
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)obj, k, v) {
    size_t keep = prefix->len;
    if (keep)
      vh_buf_add(prefix, ".", 1);
    vh_buf_str(prefix, k);
    if (json_is_object(v))
      flatten(e, prefix, v);
    else if (usable_field(v))
      push(e, vh_buf_cstr(prefix), prefix->len, v);
    prefix->len = keep;
    if (prefix->p)
      prefix->p[keep] = '\0';
  }
  if (prefix->failed)
    e->failed = true;
}

static void collect_tags(entries *e, const json_t *tags) {
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)tags, k, v) {
    bool ok = json_is_number(v) || json_is_boolean(v) ||
              (json_is_string(v) && json_string_length(v) > 0);
    if (ok)
      push(e, k, strlen(k), v);
  }
}

/* ---- writing ---- */

static void put_field_value(vh_buf *out, const json_t *v) {
  if (json_is_string(v))
    put_string_field(out, json_string_value(v), json_string_length(v));
  else if (json_is_integer(v))
    vh_buf_printf(out, "%lld", (long long)json_integer_value(v));
  else if (json_is_real(v))
    vh_plain_number(out, json_real_value(v));
  else
    vh_buf_str(out, json_is_true(v) ? "true" : "false");
}

static void put_tags(vh_buf *out, const entries *t) {
  for (size_t i = 0; i < t->n; i++) {
    vh_buf tv = {0};
    vh_js_string(&tv, t->items[i].value);
    vh_buf_add(out, ",", 1);
    put_escaped(out, t->items[i].key, strlen(t->items[i].key), key_specials);
    vh_buf_add(out, "=", 1);
    put_escaped(out, vh_buf_cstr(&tv), tv.len, key_specials);
    if (tv.failed)
      out->failed = true;
    vh_buf_free(&tv);
  }
}

static void put_fields(vh_buf *out, const entries *f) {
  for (size_t i = 0; i < f->n; i++) {
    vh_buf_add(out, i ? "," : " ", 1);
    put_escaped(out, f->items[i].key, strlen(f->items[i].key), key_specials);
    vh_buf_add(out, "=", 1);
    put_field_value(out, f->items[i].value);
  }
}

lp_status lp_point(vh_buf *out, const char *measurement, size_t mlen,
                   const json_t *data, const json_t *tags, long long ns) {
  entries fields = {0}, tagl = {0};
  vh_buf prefix = {0};
  flatten(&fields, &prefix, data);
  vh_buf_free(&prefix);
  if (tags)
    collect_tags(&tagl, tags);
  lp_status st = fields.failed || tagl.failed ? LP_NO_MEMORY : LP_OK;
  if (st == LP_OK && fields.n == 0)
    st = LP_NO_FIELDS;
  if (st == LP_OK) {
    sort_unique(&fields);
    sort_unique(&tagl);
    put_escaped(out, measurement, mlen, measurement_specials);
    put_tags(out, &tagl);
    put_fields(out, &fields);
    vh_buf_printf(out, " %lld\n", ns);
    if (out->failed)
      st = LP_NO_MEMORY;
  }
  entries_free(&fields);
  entries_free(&tagl);
  return st;
}
