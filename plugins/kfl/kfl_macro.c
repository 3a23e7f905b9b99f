/* KFL macros (kfl.md §7), expanded as whole words only (§9.1): an
 * identifier token outside literals, not preceded by "." and not followed
 * by ".", "(" or "[". */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kfl_int.h"

static const struct {
  const char *name, *expansion;
} macros[] = {
    {"http", "(protocol.abbr == \"HTTP\")"},
    {"http2", "(protocol.abbr == \"HTTP/2\")"},
    {"grpc", "(protocol.abbr == \"gRPC\")"},
    {"gql", "(protocol.abbr == \"GQL\")"},
    {"dns", "(protocol.abbr == \"DNS\")"},
    {"amqp", "(protocol.name == \"amqp\")"},
    {"kafka", "(protocol.name == \"kafka\")"},
    {"redis", "(protocol.name == \"redis\")"},
};

static const char *lookup(const char *s, size_t n) {
  for (size_t i = 0; i < sizeof macros / sizeof macros[0]; i++)
    if (strlen(macros[i].name) == n && !memcmp(macros[i].name, s, n))
      return macros[i].expansion;
  return NULL;
}

static bool is_punct(const kfl_tok *t, char c) {
  return t->type == T_PUNCT && t->strlen == 1 && t->str[0] == c;
}

static bool expands(const kfl_toks *t, size_t i) {
  const kfl_tok *k = &t->v[i];
  if (k->type != T_IDENT || !lookup(k->str, k->strlen))
    return false;
  if (i > 0 && is_punct(&t->v[i - 1], '.'))
    return false;
  const kfl_tok *nx = &t->v[i + 1]; /* the last token is T_EOF */
  return !(is_punct(nx, '.') || is_punct(nx, '(') || is_punct(nx, '['));
}

int kfl_macro_expand(kfl_toks *t, char *err, size_t errcap) {
  for (size_t i = 0; i + 1 < t->n; i++) {
    if (!expands(t, i))
      continue;
    kfl_toks e;
    if (kfl_lex(lookup(t->v[i].str, t->v[i].strlen), &e, err, errcap) < 0)
      return -1;
    size_t add = e.n - 1; /* without T_EOF */
    if (t->n + add > t->cap) {
      kfl_tok *nv = realloc(t->v, (t->n + add) * sizeof *nv);
      if (!nv) {
        kfl_toks_free(&e);
        snprintf(err, errcap, "1:1: out of memory");
        return -1;
      }
      t->v = nv;
      t->cap = t->n + add;
    }
    kfl_tok old = t->v[i];
    memmove(&t->v[i + add], &t->v[i + 1], (t->n - i - 1) * sizeof *t->v);
    for (size_t k = 0; k < add; k++) {
      t->v[i + k] = e.v[k];
      t->v[i + k].line = old.line; /* errors point at the macro */
      t->v[i + k].col = old.col;
      t->v[i + k].src = old.src;
      t->v[i + k].srclen = old.srclen;
    }
    free(old.str);
    free(old.raw);
    free(e.v[add].str);
    free(e.v);
    t->n += add - 1;
    i += add - 1;
  }
  return 0;
}

char *kfl_macro_expand_text(const char *text) {
  kfl_toks t;
  char err[64];
  if (kfl_lex(text, &t, err, sizeof err) < 0)
    return strdup(text);
  size_t cap = strlen(text) * 4 + 64, n = 0;
  char *o = malloc(cap);
  const char *last = text;
  for (size_t i = 0; o && i + 1 < t.n; i++) {
    if (!expands(&t, i))
      continue;
    const char *x = lookup(t.v[i].str, t.v[i].strlen);
    size_t pre = (size_t)(t.v[i].src - last), xl = strlen(x);
    if (n + pre + xl + 1 > cap) {
      cap = (n + pre + xl + 1) * 2;
      char *no = realloc(o, cap);
      if (!no) {
        free(o);
        o = NULL;
        break;
      }
      o = no;
    }
    memcpy(o + n, last, pre);
    n += pre;
    memcpy(o + n, x, xl);
    n += xl;
    last = t.v[i].src + t.v[i].srclen;
  }
  if (o) {
    size_t rest = strlen(last);
    if (n + rest + 1 > cap) {
      char *no = realloc(o, n + rest + 1);
      if (!no) {
        free(o);
        kfl_toks_free(&t);
        return NULL;
      }
      o = no;
    }
    memcpy(o + n, last, rest + 1);
  }
  kfl_toks_free(&t);
  return o;
}
