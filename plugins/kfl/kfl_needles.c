/* Needles: texts that every item a query matches must contain in its
 * stored JSON line, so that a scan of the item store can skip a line
 * with memmem instead of parsing it (parsing is ~98% of a scan's time).
 *
 * Only necessary conditions are taken, from the parts of the query that
 * must all be true (and-chains, groups, greedy sub-queries):
 *   sel == "literal", sel == 123, sel.contains/startsWith/endsWith("lit")
 * where sel is a plain selection of the item (no json()/xml() decoding,
 * no helper).  A missing field makes such a comparison false or collapses
 * its group to false, so the condition holds either way.  A string
 * literal counts only if the store writes it unchanged: no quote,
 * backslash or control character (those are escaped), and not made only
 * of number characters (a real's text in the line, %.17g, need not hold
 * the digits KFL compares).  An integer counts below 10^15, where a real
 * equal to it is written with all its digits. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "kfl_int.h"

static bool safe_string(const char *s, size_t len) {
  bool non_numeric = false;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
      return false;
    if (!strchr("0123456789.eE+-", c))
      non_numeric = true;
  }
  return len > 0 && non_numeric;
}

static void add(kfl_needles *nd, const char *s, size_t len) {
  if (nd->n == KFL_NEEDLES_MAX) {
    /* keep the longest: they are the rarest */
    size_t shortest = 0;
    for (size_t i = 1; i < nd->n; i++)
      if (nd->len[i] < nd->len[shortest])
        shortest = i;
    if (nd->len[shortest] >= len)
      return;
    free(nd->s[shortest]);
    nd->s[shortest] = nd->s[--nd->n];
    nd->len[shortest] = nd->len[nd->n];
  }
  char *copy = malloc(len + 1);
  if (!copy)
    return;
  memcpy(copy, s, len);
  copy[len] = '\0';
  nd->s[nd->n] = copy;
  nd->len[nd->n++] = len;
}

/* A literal's needle: a safe string, or a small integer's digits. */
static void add_literal(kfl_needles *nd, const kfl_node *lit) {
  if (lit->type == N_STR && lit->s && safe_string(lit->s, lit->slen)) {
    add(nd, lit->s, lit->slen);
  } else if (lit->type == N_INT && lit->i > -1000000000000000LL &&
             lit->i < 1000000000000000LL) {
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)lit->i);
    add(nd, buf, (size_t)n);
  }
}

/* A selection of the item itself, whose value is written in the line. */
static bool plain_selection(const kfl_node *n) {
  if (n->type != N_CALL || n->helper || n->sub || n->nsegs == 0)
    return false;
  return !(n->nsegs == 1 && !strcmp(n->segs[0].key, "now"));
}

/* A missing receiver is false, and its text "false" is what contains(),
 * startsWith() and endsWith() then look at: a literal found in "false"
 * may match an item without it. */
static bool in_false(const char *s) {
  return strstr("false", s) != NULL;
}

static bool text_helper(const kfl_node *n) {
  return n->helper &&
         (!strcmp(n->helper, "contains") || !strcmp(n->helper, "startsWith") ||
          !strcmp(n->helper, "endsWith"));
}

static void collect(const kfl_node *n, kfl_needles *nd, int depth) {
  if (!n || depth > KFL_MAX_DEPTH)
    return;
  switch (n->type) {
  case N_AND:
    collect(n->a, nd, depth + 1);
    collect(n->b, nd, depth + 1);
    break;
  case N_GROUP:
    collect(n->a, nd, depth + 1);
    break;
  case N_EQ:
    if (plain_selection(n->a))
      add_literal(nd, n->b);
    else if (plain_selection(n->b))
      add_literal(nd, n->a);
    break;
  case N_CALL:
    if (!n->helper && n->sub) {
      collect(n->sub, nd, depth + 1); /* relative, still inside the item */
    } else if (text_helper(n) && n->nsegs && n->nargs >= 1 && !n->sub &&
               !n->has_index && !n->has_key && !n->rdesc &&
               n->args[0]->type == N_STR && n->args[0]->s &&
               safe_string(n->args[0]->s, n->args[0]->slen) &&
               !in_false(n->args[0]->s)) {
      add(nd, n->args[0]->s, n->args[0]->slen);
    }
    break;
  default:
    break;
  }
}

void kfl_needles_collect(const kfl_node *root, kfl_needles *nd) {
  memset(nd, 0, sizeof *nd);
  collect(root, nd, 0);
}

bool kfl_needles_found(const kfl_needles *nd, const char *text, size_t len) {
  for (size_t i = 0; i < nd->n; i++)
    if (!memmem(text, len, nd->s[i], nd->len[i]))
      return false;
  return true;
}

void kfl_needles_free(kfl_needles *nd) {
  for (size_t i = 0; i < nd->n; i++)
    free(nd->s[i]);
  nd->n = 0;
}
