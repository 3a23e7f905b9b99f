/* JSON encoding of an item, following jansson 2.14's dump.c with
 * JSON_COMPACT: members in insertion order, "," and ":" without spaces,
 * strings checked as UTF-8 the way jansson checks them and escaped as it
 * escapes them (\" \\ \b \f \n \r \t, other controls as \u00XX with upper
 * case hex, nothing else), reals through jansson itself.  One deliberate
 * difference: a key that is not UTF-8 is refused, where jansson writes a
 * broken line.  The unit test compares the two on many values. */
#include "config.h"

#include "store/item_line.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct out {
  char *buf;
  size_t len, cap;
  size_t start, max; /* where the line began; its longest */
  int err;
} out;

/* Also stops a line from growing far past max (the exact check is at
 * its end). */
static bool grow(out *o, size_t n) {
  if (o->len - o->start + n > o->max + 16) {
    o->err = -E2BIG;
    return false;
  }
  size_t cap = o->cap ? o->cap : 4096;
  while (cap < o->len + n)
    cap *= 2;
  char *b = realloc(o->buf, cap);
  if (!b) {
    o->err = -ENOMEM;
    return false;
  }
  o->buf = b;
  o->cap = cap;
  return true;
}

static inline bool room(out *o, size_t n) {
  return o->len + n <= o->cap || grow(o, n);
}

static inline bool put(out *o, const char *p, size_t n) {
  if (!room(o, n))
    return false;
  char *d = o->buf + o->len;
  if (n <= 16) /* most keys and values: cheaper than a call */
    for (size_t i = 0; i < n; i++)
      d[i] = p[i];
  else
    memcpy(d, p, n);
  o->len += n;
  return true;
}

static inline bool put_c(out *o, char c) {
  if (!room(o, 1))
    return false;
  o->buf[o->len++] = c;
  return true;
}

static bool put_int(out *o, json_int_t v) {
  char tmp[24], *p = tmp + sizeof tmp;
  unsigned long long u =
      v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
  do
    *--p = (char)('0' + u % 10);
  while ((u /= 10) != 0);
  if (v < 0)
    *--p = '-';
  return put(o, p, (size_t)(tmp + sizeof tmp - p));
}

static bool put_real(out *o, const json_t *v) {
  char tmp[64];
  size_t n = json_dumpb(v, tmp, sizeof tmp, JSON_ENCODE_ANY | JSON_COMPACT);
  if (n == 0 || n > sizeof tmp) {
    o->err = -EINVAL;
    return false;
  }
  return put(o, tmp, n);
}

/* ------------------------------------------------------------------ */
/* Strings                                                             */

/* 0: copied as is; 1: escaped; 2: the first byte of a UTF-8 sequence (or
 * not UTF-8 at all). */
#define C16(c) c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c
static const unsigned char classes[256] = {
    C16(1), C16(1), /* controls */
    0,      0,      1,      0,      0,      0,      0,      0,
    0,      0,      0,      0,      0,      0,      0,      0, /* '"' */
    C16(0), C16(0),                                            /* 0x30-0x4f */
    0,      0,      0,      0,      0,      0,      0,      0,
    0,      0,      0,      0,      1,      0,      0,      0, /* '\\' */
    C16(0), C16(0),                                            /* 0x60-0x7f */
    C16(2), C16(2), C16(2), C16(2), C16(2), C16(2), C16(2), C16(2)};

/* Length of the UTF-8 sequence at p, or 0 if it is not one jansson
 * accepts (overlong, surrogate, beyond U+10FFFF, cut). */
static size_t utf8_len(const unsigned char *p, size_t avail) {
  unsigned char u = p[0];
  size_t n = u >= 0xC2 && u <= 0xDF   ? 2
             : u >= 0xE0 && u <= 0xEF ? 3
             : u >= 0xF0 && u <= 0xF4 ? 4
                                      : 0;
  if (n == 0 || n > avail)
    return 0;
  uint32_t v = u & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (size_t i = 1; i < n; i++) {
    if (p[i] < 0x80 || p[i] > 0xBF)
      return 0;
    v = v << 6 | (p[i] & 0x3F);
  }
  if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800) ||
      (n == 4 && v < 0x10000))
    return 0;
  return n;
}

static bool put_escape(out *o, unsigned char c) {
  static const char hex[] = "0123456789ABCDEF";
  char e[6] = {'\\', 0};
  switch (c) {
  case '"':
  case '\\':
    e[1] = (char)c;
    break;
  case '\b':
    e[1] = 'b';
    break;
  case '\f':
    e[1] = 'f';
    break;
  case '\n':
    e[1] = 'n';
    break;
  case '\r':
    e[1] = 'r';
    break;
  case '\t':
    e[1] = 't';
    break;
  default:
    memcpy(e + 1, "u00", 3);
    e[4] = hex[c >> 4];
    e[5] = hex[c & 15];
    return put(o, e, 6);
  }
  return put(o, e, 2);
}

/* True when one of the 8 bytes is not printable ASCII or is '"' or
 * '\\' (word-at-a-time tests; a false alarm only sends the bytes
 * through the byte loop). */
static inline bool special8(const unsigned char *p) {
  const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  uint64_t w;
  memcpy(&w, p, 8);
  uint64_t ctl = (w - 0x20 * ones) & ~w;
  uint64_t q = w ^ ('"' * ones), b = w ^ ('\\' * ones);
  q = (q - ones) & ~q;
  b = (b - ones) & ~b;
  return ((w | ctl | q | b) & highs) != 0;
}

/* Where the bytes that go out unchanged (ASCII, valid UTF-8) end. */
static size_t plain_end(const unsigned char *s, size_t i, size_t n) {
  while (i < n) {
    if (i + 8 <= n && !special8(s + i)) {
      i += 8;
      continue;
    }
    unsigned char k = classes[s[i]];
    if (k == 1)
      return i;
    size_t m = k == 0 ? 1 : utf8_len(s + i, n - i);
    if (m == 0)
      return i;
    i += m;
  }
  return n;
}

/* From byte i on, anything: UTF-8 checked, escapes written; then the
 * closing quote and post (if not 0). */
static bool put_string_slow(out *o, const unsigned char *s, size_t i, size_t n,
                            char post) {
  for (;;) {
    size_t j = plain_end(s, i, n);
    if (!put(o, (const char *)s + i, j - i))
      return false;
    if (j == n)
      return put_c(o, '"') && (!post || put_c(o, post));
    if (classes[s[j]] == 2) {
      o->err = -EINVAL;
      return false;
    }
    if (!put_escape(o, s[j]))
      return false;
    i = j + 1;
  }
}

static inline bool special4(const unsigned char *p) {
  const uint32_t ones = 0x01010101u, highs = 0x80808080u;
  uint32_t w;
  memcpy(&w, p, 4);
  uint32_t ctl = (w - 0x20 * ones) & ~w;
  uint32_t q = w ^ ('"' * ones), b = w ^ ('\\' * ones);
  q = (q - ones) & ~q;
  b = (b - ones) & ~b;
  return ((w | ctl | q | b) & highs) != 0;
}

/* Copies n bytes that need no escaping and are ASCII; false (with d
 * partly written) if there is one that does or is not.  Whole words only,
 * the last one overlapping the one before, so a short string costs no
 * byte loop and nothing is read past its end. */
static inline bool plain_copy(char *d, const unsigned char *s, size_t n) {
  if (n >= 8) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      if (special8(s + i))
        return false;
      memcpy(d + i, s + i, 8);
    }
    if (i < n && special8(s + n - 8))
      return false;
    memcpy(d + n - 8, s + n - 8, 8);
    return true;
  }
  if (n >= 4) {
    if (special4(s) || special4(s + n - 4))
      return false;
    memcpy(d, s, 4);
    memcpy(d + n - 4, s + n - 4, 4);
    return true;
  }
  for (size_t i = 0; i < n; i++) {
    if (classes[s[i]])
      return false;
    d[i] = (char)s[i];
  }
  return true;
}

/* A string, with pre before and post after it unless they are 0 (the
 * "," and ":" around a key).  Strings in items are mostly short and
 * plain ASCII, copied in one pass; any other goes (again, from its
 * start) through put_string_slow. */
static bool put_string(out *o, char pre, const char *str, size_t n, char post) {
  const unsigned char *s = (const unsigned char *)str;
  if (!room(o, n + 4))
    return false;
  char *d = o->buf + o->len;
  if (pre)
    *d++ = pre;
  *d++ = '"';
  o->len = (size_t)(d - o->buf);
  if (!plain_copy(d, s, n))
    return put_string_slow(o, s, 0, n, post);
  d += n;
  *d++ = '"';
  if (post)
    *d++ = post;
  o->len = (size_t)(d - o->buf);
  return true;
}

/* ------------------------------------------------------------------ */
/* Values                                                              */

static bool put_value(out *o, const json_t *v, int depth);

static bool put_members(out *o, const json_t *obj, bool first, int depth) {
  json_t *m = (json_t *)obj;
  for (void *it = json_object_iter(m); it; it = json_object_iter_next(m, it)) {
    if (!put_string(o, first ? 0 : ',', json_object_iter_key(it),
                    json_object_iter_key_len(it), ':') ||
        !put_value(o, json_object_iter_value(it), depth))
      return false;
    first = false;
  }
  return true;
}

static bool put_array(out *o, const json_t *a, int depth) {
  size_t n = json_array_size(a);
  if (!put_c(o, '['))
    return false;
  for (size_t i = 0; i < n; i++)
    if ((i && !put_c(o, ',')) || !put_value(o, json_array_get(a, i), depth))
      return false;
  return put_c(o, ']');
}

static bool put_value(out *o, const json_t *v, int depth) {
  if (++depth > ITEM_LINE_DEPTH) {
    o->err = -EINVAL;
    return false;
  }
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return put_c(o, '{') && put_members(o, v, true, depth) && put_c(o, '}');
  case JSON_ARRAY:
    return put_array(o, v, depth);
  case JSON_STRING:
    return put_string(o, 0, json_string_value(v), json_string_length(v), 0);
  case JSON_INTEGER:
    return put_int(o, json_integer_value(v));
  case JSON_REAL:
    return put_real(o, v);
  case JSON_TRUE:
    return put(o, "true", 4);
  case JSON_FALSE:
    return put(o, "false", 5);
  case JSON_NULL:
    return put(o, "null", 4);
  }
  o->err = -EINVAL;
  return false;
}

int item_line_append(char **buf, size_t *len, size_t *cap, const json_t *item,
                     int64_t stamp, size_t max) {
  if (!json_is_object(item))
    return -EINVAL;
  out o = {*buf, *len, *cap, *len, max, 0};
  bool ok = put_c(&o, '{');
  if (ok && stamp >= 0) {
    ok = put(&o, "\"timestamp\":", 12) && put_int(&o, stamp);
    ok = ok && put_members(&o, item, false, 1);
  } else if (ok) {
    ok = put_members(&o, item, true, 1);
  }
  ok = ok && put_c(&o, '}');
  if (ok && o.len - o.start > max) {
    o.err = -E2BIG;
    ok = false;
  }
  ok = ok && put_c(&o, '\n');
  *buf = o.buf;
  *cap = o.cap;
  if (!ok)
    return o.err ? o.err : -EINVAL;
  *len = o.len;
  return 0;
}
