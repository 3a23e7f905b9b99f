/* KFL evaluator over jansson values (kfl.md §3–§5): selectors, greedy
 * sub-queries, operators, helpers and the missing-field collapse. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kfl_int.h"

typedef struct {
  int64_t now_ms;
} ctx;

/* A value: j (owned reference), or a regex literal (j NULL). */
typedef struct {
  json_t *j;
  const kfl_regex *re;
} kval;

enum { OK = 0, COLLAPSE = 1 };

static int eval(ctx *c, const kfl_node *n, json_t *base, kval *out);

static bool vtruthy(const kval *v) {
  return v->j ? kfl_truthy(v->j) : true;
}

static void vset(kval *v, json_t *j) {
  v->j = j ? j : json_null();
  v->re = NULL;
}

/* ---- path resolution over a list of current nodes ---- */

static void collect_rdesc(json_t *node, const char *name, json_t *out,
                          int depth) {
  if (depth > 4096)
    return;
  if (json_is_object(node)) {
    const char *k;
    json_t *v;
    json_object_foreach(node, k, v) {
      if (!strcmp(k, name))
        json_array_append(out, v);
      collect_rdesc(v, name, out, depth + 1);
    }
  } else if (json_is_array(node)) {
    for (size_t i = 0; i < json_array_size(node); i++)
      collect_rdesc(json_array_get(node, i), name, out, depth + 1);
  }
}

typedef enum { ST_KEY, ST_WILD, ST_INDEX, ST_RDESC } steptype;

static json_t *step(json_t *list, steptype t, const char *key, int64_t index) {
  json_t *next = json_array();
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *n = json_array_get(list, i);
    switch (t) {
    case ST_KEY:
      if (json_is_object(n) && json_object_get(n, key))
        json_array_append(next, json_object_get(n, key));
      break;
    case ST_WILD:
      if (json_is_array(n)) {
        for (size_t k = 0; k < json_array_size(n); k++)
          json_array_append(next, json_array_get(n, k));
      } else if (json_is_object(n)) {
        const char *k;
        json_t *v;
        json_object_foreach(n, k, v) json_array_append(next, v);
      }
      break;
    case ST_INDEX:
      if (json_is_array(n) && index >= 0 &&
          (uint64_t)index < json_array_size(n))
        json_array_append(next, json_array_get(n, (size_t)index));
      break;
    case ST_RDESC:
      collect_rdesc(n, key, next, 0);
      break;
    }
  }
  json_decref(list);
  return next;
}

/* Applies the [n], ["k"], ..name selectors of n to list; consumes list. */
static json_t *selectors(const kfl_node *n, json_t *list) {
  if (n->has_index)
    list = step(list, ST_INDEX, NULL, n->index);
  if (n->has_key)
    list = step(list, n->key_wild ? ST_WILD : ST_KEY, n->key, 0);
  if (n->rdesc)
    list = step(list, ST_RDESC, n->rdesc, 0);
  return list;
}

/* The value of a match list: NULL when empty; consumes list. */
static json_t *collapse_list(json_t *list) {
  size_t sz = json_array_size(list);
  if (sz == 0) {
    json_decref(list);
    return NULL;
  }
  if (sz == 1) {
    json_t *v = json_incref(json_array_get(list, 0));
    json_decref(list);
    return v;
  }
  return list;
}

static json_t *single(json_t *v) {
  json_t *l = json_array();
  json_array_append(l, v);
  return l;
}

/* ---- helpers ---- */

static int arg_value(ctx *c, const kfl_node *n, size_t i, json_t *base,
                     kval *out) {
  if (i >= n->nargs) {
    vset(out, json_null());
    return OK;
  }
  return eval(c, n->args[i], base, out);
}

static char *arg_string(const kval *v) {
  return v->j ? kfl_strform(v->j) : strdup("");
}

static const struct {
  const char *name;
  int64_t ms;
} units[] = {
    {"seconds", 1000LL},         {"minutes", 60000LL},
    {"hours", 3600000LL},        {"days", 86400000LL},
    {"weeks", 7 * 86400000LL},   {"months", 30 * 86400000LL},
    {"years", 365 * 86400000LL},
};

/* Parses a json()/xml() receiver; NULL on failure. */
static json_t *decode_doc(const json_t *recv, bool xml) {
  char *s = kfl_strform(recv);
  if (!s)
    return NULL;
  size_t len = json_is_string(recv) ? json_string_length(recv) : strlen(s);
  size_t dl = 0;
  unsigned char *dec = kfl_base64_decode(s, len, &dl);
  json_t *doc = NULL;
  if (dec) {
    doc = xml ? kfl_xml_parse((const char *)dec, dl)
              : json_loadb((const char *)dec, dl, JSON_DECODE_ANY, NULL);
    free(dec);
  }
  if (!doc)
    doc =
        xml ? kfl_xml_parse(s, len) : json_loadb(s, len, JSON_DECODE_ANY, NULL);
  free(s);
  return doc;
}

static int64_t sat_add_mul(int64_t now, double n, int64_t unit) {
  double r = (double)now + n * (double)unit;
  if (!(r > -9.2e18))
    return INT64_MIN;
  if (!(r < 9.2e18))
    return INT64_MAX;
  return (int64_t)llround(r);
}

static int helper(ctx *c, const kfl_node *n, json_t *base, json_t *recv,
                  kval *out) {
  const char *h = n->helper;
  if (!strcmp(h, "now")) {
    vset(out, json_integer(c->now_ms));
    return OK;
  }
  if (!strcmp(h, "startsWith") || !strcmp(h, "endsWith") ||
      !strcmp(h, "contains")) {
    kval a;
    if (arg_value(c, n, 0, base, &a))
      return COLLAPSE;
    char *s = kfl_strform(recv), *t = arg_string(&a);
    json_decref(a.j);
    bool r = false;
    if (s && t) {
      size_t sl = strlen(s), tl = strlen(t);
      if (h[0] == 's')
        r = sl >= tl && !memcmp(s, t, tl);
      else if (h[0] == 'e')
        r = sl >= tl && !memcmp(s + sl - tl, t, tl);
      else
        r = strstr(s, t) != NULL;
    }
    free(s);
    free(t);
    vset(out, json_boolean(r));
    return OK;
  }
  if (!strcmp(h, "datetime")) {
    kval a;
    if (arg_value(c, n, 0, base, &a))
      return COLLAPSE;
    char *s = arg_string(&a);
    json_decref(a.j);
    bool ok = false;
    int64_t ms = s ? kfl_datetime(s, &ok) : 0;
    free(s);
    vset(out, ok ? json_integer(ms) : json_false());
    return OK;
  }
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    if (strcmp(h, units[i].name))
      continue;
    kval a;
    if (arg_value(c, n, 0, base, &a))
      return COLLAPSE;
    double v = a.j && json_is_number(a.j) ? json_number_value(a.j) : 0;
    if (a.j && json_is_integer(a.j)) {
      int64_t k = json_integer_value(a.j), r;
      if (!__builtin_mul_overflow(k, units[i].ms, &r) &&
          !__builtin_add_overflow(r, c->now_ms, &r)) {
        json_decref(a.j);
        vset(out, json_integer(r));
        return OK;
      }
    }
    json_decref(a.j);
    vset(out, json_integer(sat_add_mul(c->now_ms, v, units[i].ms)));
    return OK;
  }
  if (!strcmp(h, "limit")) {
    vset(out, json_true());
    return OK;
  }
  if (!strcmp(h, "redact")) {
    for (size_t i = 0; i < n->nargs; i++) {
      kval a;
      if (eval(c, n->args[i], base, &a))
        return COLLAPSE;
      char *p = arg_string(&a);
      json_decref(a.j);
      if (p && *p)
        kfl_redact_path(base, p);
      free(p);
    }
    vset(out, json_true());
    return OK;
  }
  return COLLAPSE; /* unknown helper */
}

static int call(ctx *c, const kfl_node *n, json_t *base, kval *out) {
  json_t *list;
  if (!n->helper && n->nsegs == 1 && !strcmp(n->segs[0].key, "now") &&
      !n->has_index && !n->has_key && !n->rdesc && !n->sub) {
    vset(out, json_integer(c->now_ms)); /* bare `now` */
    return OK;
  }
  list = single(base);
  for (size_t i = 0; i < n->nsegs; i++)
    list = step(list, n->segs[i].type == SEG_WILD ? ST_WILD : ST_KEY,
                n->segs[i].key, 0);
  if (n->helper) {
    json_t *recv =
        n->nsegs ? collapse_list(list) : (json_decref(list), json_incref(base));
    if (!recv)
      recv = json_false(); /* a missing receiver is false */
    bool doc = !strcmp(n->helper, "json") || !strcmp(n->helper, "xml");
    if (doc) {
      json_t *d = decode_doc(recv, n->helper[0] == 'x');
      json_decref(recv);
      if (!d) {
        vset(out, json_false());
        return OK;
      }
      json_t *v = collapse_list(selectors(n, single(d)));
      json_decref(d);
      if (!v) {
        vset(out, json_false());
        return OK;
      }
      if (!n->sub) {
        vset(out, v);
        return OK;
      }
      kval r;
      int rc = eval(c, n->sub, v, &r);
      json_decref(v);
      if (rc) {
        vset(out, json_false()); /* a missing inner path does not collapse */
        return OK;
      }
      *out = r;
      return OK;
    }
    kval hv;
    int rc = helper(c, n, base, recv, &hv);
    json_decref(recv);
    if (rc)
      return COLLAPSE;
    if (!n->has_index && !n->has_key && !n->rdesc && !n->sub) {
      *out = hv;
      return OK;
    }
    if (!hv.j)
      return COLLAPSE;
    list = single(hv.j);
    json_decref(hv.j);
  }
  json_t *v = collapse_list(selectors(n, list));
  if (!v)
    return COLLAPSE;
  if (!n->sub) {
    vset(out, v);
    return OK;
  }
  int rc = eval(c, n->sub, v, out);
  json_decref(v);
  return rc;
}

static int eval(ctx *c, const kfl_node *n, json_t *base, kval *out) {
  kval a, b;
  out->j = NULL;
  out->re = NULL;
  switch (n->type) {
  case N_TRUE:
    vset(out, json_true());
    return OK;
  case N_FALSE:
    vset(out, json_false());
    return OK;
  case N_NIL:
    vset(out, json_null());
    return OK;
  case N_INT:
    vset(out, json_integer(n->i));
    return OK;
  case N_FLOAT:
    vset(out, json_real(n->f));
    if (!out->j) /* NaN/inf cannot be a json real */
      vset(out, json_integer(0));
    return OK;
  case N_STR:
    vset(out, json_stringn_nocheck(n->s, n->slen));
    return OK;
  case N_REGEX:
    out->re = n->re;
    return OK;
  case N_AND:
  case N_OR: {
    if (eval(c, n->a, base, &a))
      return COLLAPSE;
    bool t = vtruthy(&a);
    json_decref(a.j);
    if (n->type == N_AND ? !t : t) {
      vset(out, json_boolean(t));
      return OK;
    }
    if (eval(c, n->b, base, &b))
      return COLLAPSE;
    t = vtruthy(&b);
    json_decref(b.j);
    vset(out, json_boolean(t));
    return OK;
  }
  case N_EQ:
  case N_NE:
  case N_LT:
  case N_LE:
  case N_GT:
  case N_GE: {
    if (eval(c, n->a, base, &a))
      return COLLAPSE;
    if (eval(c, n->b, base, &b)) {
      json_decref(a.j);
      return COLLAPSE;
    }
    bool r = kfl_compare(n->type, a.j, a.re, b.j, b.re);
    json_decref(a.j);
    json_decref(b.j);
    vset(out, json_boolean(r));
    return OK;
  }
  case N_NOT:
    if (eval(c, n->a, base, &a))
      return COLLAPSE;
    if (a.j && json_is_boolean(a.j)) {
      vset(out, json_boolean(!json_is_true(a.j)));
      json_decref(a.j);
    } else {
      *out = a;
    }
    return OK;
  case N_NEG:
    if (eval(c, n->a, base, &a))
      return COLLAPSE;
    if (a.j && json_is_integer(a.j)) {
      json_int_t v = json_integer_value(a.j);
      vset(out, v == INT64_MIN ? json_real(9223372036854775808.0)
                               : json_integer(-v));
      json_decref(a.j);
    } else if (a.j && json_is_real(a.j)) {
      vset(out, json_real(-json_real_value(a.j)));
      json_decref(a.j);
    } else {
      *out = a;
    }
    return OK;
  case N_GROUP:
    if (eval(c, n->a, base, out)) {
      vset(out, json_false()); /* the group contains the collapse */
    }
    return OK;
  case N_CALL:
    return call(c, n, base, out);
  }
  return COLLAPSE;
}

bool kfl_eval_ms(kfl_query *q, json_t *data, int64_t now_ms) {
  if (!q || !q->root)
    return true;
  ctx c = {now_ms};
  kval v;
  json_t *base = data ? data : json_null();
  if (eval(&c, q->root, base, &v))
    return false;
  bool r = vtruthy(&v);
  json_decref(v.j);
  return r;
}

bool kfl_eval(kfl_query *q, json_t *data, time_t now) {
  return kfl_eval_ms(q, data, (int64_t)now * 1000);
}
