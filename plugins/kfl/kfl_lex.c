/* KFL lexer (kfl.md §1, escapes §9.3). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kfl_int.h"

static void seterr(char *err, size_t cap, int line, int col, const char *fmt,
                   ...) WH_KFL_PRINTF(5, 6);

static void seterr(char *err, size_t cap, int line, int col, const char *fmt,
                   ...) {
  if (!err || !cap)
    return;
  int n = snprintf(err, cap, "%d:%d: ", line, col);
  if (n < 0 || (size_t)n >= cap)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err + n, cap - (size_t)n, fmt, ap);
  va_end(ap);
}

void kfl_toks_free(kfl_toks *t) {
  for (size_t i = 0; i < t->n; i++) {
    free(t->v[i].str);
    free(t->v[i].raw);
  }
  free(t->v);
  t->v = NULL;
  t->n = t->cap = 0;
}

static kfl_tok *push(kfl_toks *t) {
  if (t->n == t->cap) {
    size_t nc = t->cap ? t->cap * 2 : 32;
    kfl_tok *nv = realloc(t->v, nc * sizeof *nv);
    if (!nv)
      return NULL;
    t->v = nv;
    t->cap = nc;
  }
  kfl_tok *k = &t->v[t->n++];
  memset(k, 0, sizeof *k);
  return k;
}

static void put_utf8(char *o, size_t *n, unsigned long c) {
  if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
    c = 0xFFFD;
  if (c < 0x80) {
    o[(*n)++] = (char)c;
  } else if (c < 0x800) {
    o[(*n)++] = (char)(0xC0 | (c >> 6));
    o[(*n)++] = (char)(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    o[(*n)++] = (char)(0xE0 | (c >> 12));
    o[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[(*n)++] = (char)(0x80 | (c & 0x3F));
  } else {
    o[(*n)++] = (char)(0xF0 | (c >> 18));
    o[(*n)++] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[(*n)++] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[(*n)++] = (char)(0x80 | (c & 0x3F));
  }
}

static int hexval(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Decodes the inner text of a quoted literal (§9.3).  out has room for
 * len bytes (a decoded escape is never longer than its source). */
static size_t decode(const char *s, size_t len, char *o) {
  size_t n = 0;
  for (size_t i = 0; i < len;) {
    if (s[i] != '\\' || i + 1 >= len) {
      o[n++] = s[i++];
      continue;
    }
    char c = s[i + 1];
    const char *simple = "a\ab\bf\fn\nr\rt\tv\v\\\\\"\"''";
    const char *p = NULL;
    for (const char *q = simple; *q; q += 2)
      if (*q == c) {
        p = q;
        break;
      }
    if (p) {
      o[n++] = p[1];
      i += 2;
      continue;
    }
    int digits = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
    if (digits) {
      unsigned long v = 0;
      int k;
      for (k = 0; k < digits && i + 2 + (size_t)k < len; k++) {
        int h = hexval((unsigned char)s[i + 2 + k]);
        if (h < 0)
          break;
        v = v * 16 + (unsigned long)h;
      }
      if (k == digits) {
        if (c == 'x')
          o[n++] = (char)v;
        else
          put_utf8(o, &n, v);
        i += 2 + (size_t)digits;
        continue;
      }
    } else if (c >= '0' && c <= '7' && i + 3 < len && s[i + 2] >= '0' &&
               s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
      int v = (c - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
      if (v < 256) {
        o[n++] = (char)v;
        i += 4;
        continue;
      }
    }
    /* unknown escape: kept literally */
    o[n++] = s[i++];
  }
  o[n] = '\0';
  return n;
}

/* Inner text with only the quote character unescaped (regex literals). */
static char *rawtext(const char *s, size_t len, char q) {
  char *o = malloc(len + 1);
  if (!o)
    return NULL;
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\\' && i + 1 < len && s[i + 1] == q) {
      o[n++] = q;
      i++;
    } else {
      o[n++] = s[i];
    }
  }
  o[n] = '\0';
  return o;
}

static char *dupn(const char *s, size_t n) {
  char *o = malloc(n + 1);
  if (o) {
    memcpy(o, s, n);
    o[n] = '\0';
  }
  return o;
}

int kfl_lex(const char *text, kfl_toks *out, char *err, size_t errcap) {
  const char *p = text;
  int line = 1;
  const char *bol = text;
  memset(out, 0, sizeof *out);
#define COL(ptr) ((int)((ptr)-bol) + 1)
  for (;;) {
    /* whitespace and comments */
    for (;;) {
      if (*p == '\n') {
        line++;
        bol = ++p;
      } else if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' ||
                 *p == '\v') {
        p++;
      } else if (p[0] == '/' && p[1] == '/') {
        while (*p && *p != '\n')
          p++;
      } else if (p[0] == '/' && p[1] == '*') {
        int l0 = line, c0 = COL(p);
        p += 2;
        while (*p && !(p[0] == '*' && p[1] == '/')) {
          if (*p == '\n') {
            line++;
            bol = p + 1;
          }
          p++;
        }
        if (!*p) {
          seterr(err, errcap, l0, c0, "comment not terminated");
          goto fail;
        }
        p += 2;
      } else {
        break;
      }
    }
    kfl_tok *t = push(out);
    if (!t) {
      seterr(err, errcap, line, COL(p), "out of memory");
      goto fail;
    }
    t->line = line;
    t->col = COL(p);
    t->src = p;
    if (!*p) {
      t->type = T_EOF;
      return 0;
    }
    unsigned char c = (unsigned char)*p;
    if (isalpha(c) || c == '_') {
      const char *s = p;
      while (isalnum((unsigned char)*p) || *p == '_')
        p++;
      t->type = T_IDENT;
      t->str = dupn(s, (size_t)(p - s));
      t->strlen = (size_t)(p - s);
    } else if (isdigit(c) || (c == '.' && isdigit((unsigned char)p[1]))) {
      const char *s = p;
      int base = 10;
      if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        base = 16;
      else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
        base = 8;
      else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
        base = 2;
      if (base != 10) {
        p += 2;
        const char *d = p;
        while (isalnum((unsigned char)*p))
          p++;
        char *tmp = dupn(d, (size_t)(p - d)), *end;
        errno = 0;
        unsigned long long v = tmp ? strtoull(tmp, &end, base) : 0;
        bool bad = !tmp || !*tmp || *end || errno || v > INT64_MAX;
        free(tmp);
        if (bad) {
          seterr(err, errcap, t->line, t->col, "invalid number \"%.*s\"",
                 (int)(p - s), s);
          goto fail;
        }
        t->type = T_INT;
        t->i = (int64_t)v;
      } else {
        bool isf = false;
        while (isdigit((unsigned char)*p))
          p++;
        if (*p == '.' && isdigit((unsigned char)p[1])) {
          isf = true;
          p++;
          while (isdigit((unsigned char)*p))
            p++;
        } else if (*p == '.' && p[1] != '.' && p > s &&
                   !isalpha((unsigned char)p[1]) && p[1] != '_' &&
                   p[1] != '*') {
          /* "3." */
          isf = true;
          p++;
        }
        if ((*p == 'e' || *p == 'E') &&
            (isdigit((unsigned char)p[1]) ||
             ((p[1] == '+' || p[1] == '-') && isdigit((unsigned char)p[2])))) {
          isf = true;
          p += 2;
          while (isdigit((unsigned char)*p))
            p++;
        }
        char *tmp = dupn(s, (size_t)(p - s)), *end;
        if (!tmp) {
          seterr(err, errcap, t->line, t->col, "out of memory");
          goto fail;
        }
        errno = 0;
        if (isf) {
          t->type = T_FLOAT;
          t->f = strtod(tmp, &end);
        } else {
          t->type = T_INT;
          long long v = strtoll(tmp, &end, 10);
          t->i = v;
          if (errno) {
            free(tmp);
            seterr(err, errcap, t->line, t->col,
                   "integer out of range \"%.*s\"", (int)(p - s), s);
            goto fail;
          }
        }
        free(tmp);
      }
    } else if (c == '"' || c == '\'') {
      const char *s = ++p;
      while (*p && *p != (char)c && *p != '\n') {
        if (*p == '\\' && p[1] && p[1] != '\n')
          p++;
        p++;
      }
      if (*p != (char)c) {
        seterr(err, errcap, t->line, t->col, "literal not terminated");
        goto fail;
      }
      size_t len = (size_t)(p - s);
      t->type = c == '"' ? T_STRING : T_CHAR;
      t->str = malloc(len + 1);
      t->raw = rawtext(s, len, (char)c);
      if (!t->str || !t->raw) {
        seterr(err, errcap, t->line, t->col, "out of memory");
        goto fail;
      }
      t->strlen = decode(s, len, t->str);
      p++;
    } else if (c == '`') {
      const char *s = ++p;
      int l = line;
      const char *b = bol;
      while (*p && *p != '`') {
        if (*p == '\n') {
          l++;
          b = p + 1;
        }
        p++;
      }
      if (!*p) {
        seterr(err, errcap, t->line, t->col, "literal not terminated");
        goto fail;
      }
      line = l;
      bol = b;
      t->type = T_RAW;
      t->str = dupn(s, (size_t)(p - s));
      t->raw = dupn(s, (size_t)(p - s));
      t->strlen = (size_t)(p - s);
      p++;
    } else {
      /* one character (a whole UTF-8 sequence) */
      size_t n = 1;
      if (c >= 0x80)
        while ((p[n] & 0xC0) == 0x80 && n < 4)
          n++;
      t->type = T_PUNCT;
      t->str = dupn(p, n);
      t->strlen = n;
      p += n;
    }
    if (t->type == T_IDENT || t->type == T_PUNCT) {
      if (!t->str) {
        seterr(err, errcap, t->line, t->col, "out of memory");
        goto fail;
      }
    }
    t->srclen = (size_t)(p - t->src);
  }
fail:
  kfl_toks_free(out);
  return -1;
#undef COL
}
