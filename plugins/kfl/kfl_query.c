/* Compiling a KFL query: lex, expand macros, parse; and the query's
 * limit() and redact() summaries. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "kfl_int.h"

static const kfl_node *find_helper(const kfl_node *n, const char *name) {
  if (!n)
    return NULL;
  if (n->type == N_CALL && n->helper && !strcmp(n->helper, name))
    return n;
  const kfl_node *r;
  if ((r = find_helper(n->a, name)) || (r = find_helper(n->b, name)))
    return r;
  for (size_t i = 0; n->type == N_CALL && i < n->nargs; i++)
    if ((r = find_helper(n->args[i], name)))
      return r;
  return n->type == N_CALL ? find_helper(n->sub, name) : NULL;
}

kfl_query *kfl_compile(const char *text, char *err, size_t errcap) {
  kfl_toks t;
  if (err && errcap)
    err[0] = '\0';
  if (kfl_lex(text ? text : "", &t, err, errcap) < 0)
    return NULL;
  if (kfl_macro_expand(&t, err, errcap) < 0) {
    kfl_toks_free(&t);
    return NULL;
  }
  kfl_node *root = kfl_parse(&t, err, errcap);
  kfl_toks_free(&t);
  if (!root)
    return NULL;
  kfl_query *q = calloc(1, sizeof *q);
  if (!q) {
    kfl_node_free(root);
    return NULL;
  }
  q->root = root;
  q->limit = -1;
  q->rewrites = find_helper(root, "redact") != NULL;
  kfl_needles_collect(root, &q->needles);
  const kfl_node *l = find_helper(root, "limit");
  if (l && l->nargs >= 1) {
    if (l->args[0]->type == N_INT)
      q->limit = l->args[0]->i < 0 ? 0 : (long)l->args[0]->i;
    else if (l->args[0]->type == N_FLOAT && l->args[0]->f >= 0 &&
             l->args[0]->f < 9e18)
      q->limit = (long)l->args[0]->f;
  }
  return q;
}

bool kfl_rewrites(const kfl_query *q) {
  return q && q->rewrites;
}

bool kfl_may_match_text(const kfl_query *q, const char *text, size_t len) {
  return !q || kfl_needles_found(&q->needles, text, len);
}

long kfl_limit(const kfl_query *q) {
  return q ? q->limit : -1;
}

static void redact_all(const kfl_node *n, json_t *data) {
  if (!n)
    return;
  if (n->type == N_CALL && n->helper && !strcmp(n->helper, "redact"))
    for (size_t i = 0; i < n->nargs; i++)
      if (n->args[i]->type == N_STR)
        kfl_redact_path(data, n->args[i]->s);
  redact_all(n->a, data);
  redact_all(n->b, data);
  if (n->type == N_CALL) {
    for (size_t i = 0; i < n->nargs; i++)
      redact_all(n->args[i], data);
  }
}

json_t *kfl_redact(const kfl_query *q, json_t *data) {
  json_t *copy = json_deep_copy(data);
  if (copy && q)
    redact_all(q->root, copy);
  return copy;
}

void kfl_free(kfl_query *q) {
  if (!q)
    return;
  kfl_node_free(q->root);
  kfl_needles_free(&q->needles);
  free(q);
}
