/* KFL parser: tokens to a syntax tree (kfl.md §2), lookahead 2, with a
 * bounded nesting depth so hostile queries cannot exhaust the stack. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kfl_int.h"

typedef struct {
  kfl_toks *t;
  size_t pos;
  int depth;
  char *err;
  size_t errcap;
  bool failed;
} parser;

static kfl_node *query(parser *p);

static kfl_tok *peek(parser *p, size_t k) {
  size_t i = p->pos + k;
  return &p->t->v[i < p->t->n ? i : p->t->n - 1];
}

static bool punct(const kfl_tok *t, char c) {
  return t->type == T_PUNCT && t->strlen == 1 && t->str[0] == c;
}

static bool ident(const kfl_tok *t, const char *s) {
  return t->type == T_IDENT && !strcmp(t->str, s);
}

static void fail_at(parser *p, const kfl_tok *t, const char *fmt, ...)
    WH_KFL_PRINTF(3, 4);

static void fail_at(parser *p, const kfl_tok *t, const char *fmt, ...) {
  if (p->failed)
    return;
  p->failed = true;
  if (!p->err || !p->errcap)
    return;
  int n = snprintf(p->err, p->errcap, "%d:%d: ", t->line, t->col);
  if (n < 0 || (size_t)n >= p->errcap)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->err + n, p->errcap - (size_t)n, fmt, ap);
  va_end(ap);
}

static void unexpected(parser *p, const char *expected) {
  kfl_tok *t = peek(p, 0);
  if (t->type == T_EOF)
    fail_at(p, t, "unexpected end of query%s%s%s",
            expected ? " (expected " : "", expected ? expected : "",
            expected ? ")" : "");
  else
    fail_at(p, t, "unexpected token \"%.*s\"%s%s%s",
            (int)(t->srclen > 60 ? 60 : t->srclen), t->src,
            expected ? " (expected " : "", expected ? expected : "",
            expected ? ")" : "");
}

static kfl_node *node(parser *p, kfl_ntype type) {
  kfl_node *n = calloc(1, sizeof *n);
  if (!n)
    fail_at(p, peek(p, 0), "out of memory");
  else
    n->type = type;
  return n;
}

void kfl_node_free(kfl_node *n) {
  if (!n)
    return;
  kfl_node_free(n->a);
  kfl_node_free(n->b);
  free(n->s);
  kfl_regex_free(n->re);
  for (size_t i = 0; i < n->nsegs; i++)
    free(n->segs[i].key);
  free(n->segs);
  free(n->helper);
  for (size_t i = 0; i < n->nargs; i++)
    kfl_node_free(n->args[i]);
  free(n->args);
  free(n->key);
  free(n->rdesc);
  kfl_node_free(n->sub);
  free(n);
}

static bool enter(parser *p) {
  if (++p->depth > KFL_MAX_DEPTH) {
    fail_at(p, peek(p, 0), "query nested too deeply (limit %d)", KFL_MAX_DEPTH);
    return false;
  }
  return true;
}

static bool is_strtok(const kfl_tok *t) {
  return t->type == T_STRING || t->type == T_CHAR || t->type == T_RAW;
}

static bool add_seg(parser *p, kfl_node *n, kfl_segtype type, const char *key) {
  kfl_seg *ns = realloc(n->segs, (n->nsegs + 1) * sizeof *ns);
  if (!ns) {
    fail_at(p, peek(p, 0), "out of memory");
    return false;
  }
  n->segs = ns;
  ns[n->nsegs].type = type;
  ns[n->nsegs].key = key ? strdup(key) : NULL;
  n->nsegs++;
  return true;
}

static kfl_node *call(parser *p) {
  kfl_node *n = node(p, N_CALL);
  if (!n)
    return NULL;
  add_seg(p, n, SEG_KEY, peek(p, 0)->str);
  p->pos++;
  while (!p->failed && punct(peek(p, 0), '.')) {
    kfl_tok *nx = peek(p, 1);
    if (punct(nx, '*')) {
      p->pos += 2;
      add_seg(p, n, SEG_WILD, NULL);
      if (peek(p, 0)->type == T_IDENT) {
        add_seg(p, n, SEG_KEY, peek(p, 0)->str);
        p->pos++;
      }
    } else if (nx->type == T_IDENT) {
      p->pos += 2;
      add_seg(p, n, SEG_KEY, nx->str);
    } else {
      break;
    }
  }
  if (p->failed)
    return n;
  if (punct(peek(p, 0), '(') && n->segs[n->nsegs - 1].type == SEG_KEY) {
    p->pos++;
    kfl_seg *last = &n->segs[n->nsegs - 1];
    if (punct(peek(p, 0), ')')) {
      p->pos++;
      /* fn() is a plain lookup, except now(), json() and xml() */
      if (!strcmp(last->key, "now") || !strcmp(last->key, "json") ||
          !strcmp(last->key, "xml")) {
        n->helper = last->key;
        n->nsegs--;
      }
    } else {
      n->helper = last->key;
      n->nsegs--;
      for (;;) {
        if (peek(p, 0)->type == T_IDENT && punct(peek(p, 1), ':'))
          p->pos += 2; /* parameter names parse and are unused */
        kfl_node *a = query(p);
        if (!a && !p->failed)
          a = node(p, N_TRUE); /* an empty parameter */
        if (p->failed) {
          kfl_node_free(a);
          return n;
        }
        kfl_node **na = realloc(n->args, (n->nargs + 1) * sizeof *na);
        if (!na) {
          kfl_node_free(a);
          fail_at(p, peek(p, 0), "out of memory");
          return n;
        }
        n->args = na;
        na[n->nargs++] = a;
        if (punct(peek(p, 0), ',')) {
          p->pos++;
          continue;
        }
        if (punct(peek(p, 0), ')')) {
          p->pos++;
          break;
        }
        unexpected(p, "\",\" | \")\"");
        return n;
      }
    }
  }
  /* Select */
  if (punct(peek(p, 0), '[') && peek(p, 1)->type == T_INT) {
    if (!punct(peek(p, 2), ']')) {
      p->pos += 2;
      unexpected(p, "\"]\"");
      return n;
    }
    n->has_index = true;
    n->index = peek(p, 1)->i;
    p->pos += 3;
  }
  if (punct(peek(p, 0), '[')) {
    p->pos++;
    kfl_tok *k = peek(p, 0);
    if (!(is_strtok(k) || punct(k, '*')) || !punct(peek(p, 1), ']')) {
      if (is_strtok(k) || punct(k, '*'))
        p->pos++;
      unexpected(p, is_strtok(k) || punct(k, '*')
                        ? "\"]\""
                        : "(<string> | <char> | <rawstring> | \"*\") \"]\"");
      return n;
    }
    n->has_key = true;
    if (punct(k, '*'))
      n->key_wild = true;
    else if (!(n->key = malloc(k->strlen + 1)))
      fail_at(p, k, "out of memory");
    else
      memcpy(n->key, k->str, k->strlen + 1);
    p->pos += 2;
  }
  if (punct(peek(p, 0), '.') && punct(peek(p, 1), '.') &&
      peek(p, 2)->type == T_IDENT) {
    n->rdesc = strdup(peek(p, 2)->str);
    p->pos += 3;
  }
  if (punct(peek(p, 0), '.')) {
    p->pos++;
    n->sub = query(p);
    if (!p->failed && !n->sub)
      n->sub = node(p, N_TRUE);
  }
  return n;
}

static kfl_node *unary(parser *p);

static kfl_node *primary(parser *p) {
  kfl_tok *t = peek(p, 0);
  kfl_node *n = NULL;
  switch (t->type) {
  case T_INT:
    if ((n = node(p, N_INT)))
      n->i = t->i;
    p->pos++;
    return n;
  case T_FLOAT:
    if ((n = node(p, N_FLOAT)))
      n->f = t->f;
    p->pos++;
    return n;
  case T_STRING:
  case T_CHAR:
  case T_RAW:
    if ((n = node(p, N_STR))) {
      n->s = malloc(t->strlen + 1);
      if (n->s) {
        memcpy(n->s, t->str, t->strlen + 1);
        n->slen = t->strlen;
      }
    }
    p->pos++;
    return n;
  case T_IDENT:
    if (!strcmp(t->str, "r") && is_strtok(peek(p, 1))) {
      kfl_tok *s = peek(p, 1);
      char msg[200];
      if ((n = node(p, N_REGEX))) {
        n->re = kfl_regex_compile(s->raw, msg, sizeof msg);
        if (!n->re)
          fail_at(p, t, "invalid regex: %s", msg);
      }
      p->pos += 2;
      return n;
    }
    if (!strcmp(t->str, "true") || !strcmp(t->str, "false") ||
        !strcmp(t->str, "nil")) {
      n = node(p, t->str[0] == 't'   ? N_TRUE
                  : t->str[0] == 'f' ? N_FALSE
                                     : N_NIL);
      p->pos++;
      return n;
    }
    return call(p);
  case T_PUNCT:
    if (punct(t, '(')) {
      p->pos++;
      n = node(p, N_GROUP);
      if (!n)
        return NULL;
      n->a = query(p);
      if (p->failed)
        return n;
      if (!n->a)
        n->a = node(p, N_TRUE);
      if (!punct(peek(p, 0), ')'))
        unexpected(p, "\")\"");
      else
        p->pos++;
      return n;
    }
    break;
  default:
    break;
  }
  unexpected(p, NULL);
  return NULL;
}

static kfl_node *unary(parser *p) {
  if (!enter(p))
    return NULL;
  kfl_node *n;
  kfl_tok *t = peek(p, 0);
  if (punct(t, '!') || punct(t, '-')) {
    p->pos++;
    n = node(p, punct(t, '!') ? N_NOT : N_NEG);
    if (n)
      n->a = unary(p);
  } else {
    n = primary(p);
  }
  p->depth--;
  return n;
}

static kfl_node *binary(parser *p, kfl_ntype type, kfl_node *a,
                        kfl_node *(*rhs)(parser *)) {
  kfl_node *n = node(p, type);
  if (!n) {
    kfl_node_free(a);
    return NULL;
  }
  n->a = a;
  n->b = rhs(p);
  return n;
}

static kfl_node *comparison(parser *p) {
  if (!enter(p))
    return NULL;
  kfl_node *n = unary(p);
  if (!p->failed) {
    kfl_tok *t = peek(p, 0);
    bool eq = punct(peek(p, 1), '=');
    if (punct(t, '>') || punct(t, '<')) {
      kfl_ntype ty = punct(t, '>') ? (eq ? N_GE : N_GT) : (eq ? N_LE : N_LT);
      p->pos += eq ? 2 : 1;
      n = binary(p, ty, n, comparison);
    }
  }
  p->depth--;
  return n;
}

static kfl_node *equality(parser *p) {
  if (!enter(p))
    return NULL;
  kfl_node *n = comparison(p);
  if (!p->failed && punct(peek(p, 1), '=') &&
      (punct(peek(p, 0), '!') || punct(peek(p, 0), '='))) {
    kfl_ntype ty = punct(peek(p, 0), '!') ? N_NE : N_EQ;
    p->pos += 2;
    n = binary(p, ty, n, equality);
  }
  p->depth--;
  return n;
}

static kfl_node *logical(parser *p) {
  if (!enter(p))
    return NULL;
  kfl_node *n = equality(p);
  if (!p->failed && (ident(peek(p, 0), "and") || ident(peek(p, 0), "or"))) {
    kfl_ntype ty = ident(peek(p, 0), "and") ? N_AND : N_OR;
    p->pos++;
    n = binary(p, ty, n, logical);
  }
  p->depth--;
  return n;
}

/* Query = [ Logical ]: empty when at the end, ")" or ",". */
static kfl_node *query(parser *p) {
  kfl_tok *t = peek(p, 0);
  if (t->type == T_EOF || punct(t, ')') || punct(t, ','))
    return NULL;
  return logical(p);
}

kfl_node *kfl_parse(kfl_toks *t, char *err, size_t errcap) {
  parser p = {t, 0, 0, err, errcap, false};
  kfl_node *n = query(&p);
  if (!p.failed && peek(&p, 0)->type != T_EOF)
    unexpected(&p, NULL);
  if (p.failed) {
    kfl_node_free(n);
    return NULL;
  }
  if (!n)
    n = node(&p, N_TRUE);
  return n;
}
