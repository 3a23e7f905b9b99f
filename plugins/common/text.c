/* Text the vendor helpers write or read: UTF-8 checks, numbers and
 * strings as JavaScript writes them, excerpts of server answers. */
#include "config.h"

#include "vendor_http.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Length of the UTF-8 sequence at s (n > 0 bytes); *ok tells whether it
 * is valid.  An invalid one is its maximal valid-looking prefix (at
 * least one byte), as Unicode's "maximal subpart" replacement wants. */
static size_t utf8_seq(const unsigned char *s, size_t n, bool *ok) {
  unsigned c = s[0];
  *ok = false;
  if (c < 0x80) {
    *ok = true;
    return 1;
  }
  size_t need;
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlongs */
    hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    lo = c == 0xF0 ? 0x90 : 0x80;
    hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing above U+10FFFF */
  } else {
    return 1;
  }
  for (size_t i = 1; i <= need; i++) {
    if (i >= n)
      return i;
    unsigned b = s[i];
    if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF))
      return i;
  }
  *ok = true;
  return need + 1;
}

json_t *vh_utf8_string(const char *s, size_t n) {
  vh_buf b = {0};
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    bool ok;
    size_t len = utf8_seq(u + i, n - i, &ok);
    if (ok)
      vh_buf_add(&b, s + i, len);
    else
      vh_buf_add(&b, "\xEF\xBF\xBD", 3);
    i += len;
  }
  json_t *j = b.failed ? NULL : json_stringn_nocheck(vh_buf_cstr(&b), b.len);
  vh_buf_free(&b);
  return j;
}

/* ---- numbers ---- */

/* The shortest digits of |d| (finite, non-zero) that read back as d, and
 * the decimal point's position: |d| = 0.<digits> x 10^point. */
static size_t shortest_digits(double d, char digits[24], int *point) {
  char tmp[40];
  for (int p = 1; p <= 17; p++) {
    snprintf(tmp, sizeof tmp, "%.*e", p - 1, fabs(d));
    if (strtod(tmp, NULL) == fabs(d))
      break;
  }
  size_t k = 0;
  const char *q = tmp;
  for (; *q && *q != 'e'; q++)
    if (*q >= '0' && *q <= '9')
      digits[k++] = *q;
  while (k > 1 && digits[k - 1] == '0')
    k--;
  digits[k] = '\0';
  *point = atoi(q + 1) + 1;
  return k;
}

static void zeros(vh_buf *b, int n) {
  for (int i = 0; i < n; i++)
    vh_buf_add(b, "0", 1);
}

/* digits placed around the point without an exponent. */
static void plain(vh_buf *b, const char *digits, int k, int point) {
  if (point >= k) {
    vh_buf_add(b, digits, (size_t)k);
    zeros(b, point - k);
  } else if (point > 0) {
    vh_buf_add(b, digits, (size_t)point);
    vh_buf_add(b, ".", 1);
    vh_buf_add(b, digits + point, (size_t)(k - point));
  } else {
    vh_buf_add(b, "0.", 2);
    zeros(b, -point);
    vh_buf_add(b, digits, (size_t)k);
  }
}

void vh_plain_number(vh_buf *b, double d) {
  if (d == 0 || !isfinite(d)) {
    vh_buf_add(b, "0", 1);
    return;
  }
  char digits[24];
  int point;
  int k = (int)shortest_digits(d, digits, &point);
  if (d < 0)
    vh_buf_add(b, "-", 1);
  plain(b, digits, k, point);
}

/* ECMA-262 Number::toString. */
void vh_js_number(vh_buf *b, double d) {
  if (d == 0 || !isfinite(d)) {
    vh_buf_str(b, isnan(d) ? "NaN"
                  : d == 0 ? "0"
                  : d > 0  ? "Infinity"
                           : "-Infinity");
    return;
  }
  char digits[24];
  int point;
  int k = (int)shortest_digits(d, digits, &point);
  if (d < 0)
    vh_buf_add(b, "-", 1);
  if (point > -6 && point <= 21) {
    plain(b, digits, k, point);
    return;
  }
  vh_buf_add(b, digits, 1);
  if (k > 1) {
    vh_buf_add(b, ".", 1);
    vh_buf_add(b, digits + 1, (size_t)k - 1);
  }
  vh_buf_printf(b, "e%c%d", point - 1 >= 0 ? '+' : '-', abs(point - 1));
}

static void json_number(vh_buf *b, const json_t *v) {
  if (json_is_integer(v))
    vh_buf_printf(b, "%lld", (long long)json_integer_value(v));
  else
    vh_js_number(b, json_real_value(v));
}

/* ---- ToString and JSON.stringify ---- */

void vh_js_string(vh_buf *b, const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_STRING:
    vh_buf_add(b, json_string_value(v), json_string_length(v));
    break;
  case JSON_INTEGER:
  case JSON_REAL:
    json_number(b, v);
    break;
  case JSON_TRUE:
    vh_buf_str(b, "true");
    break;
  case JSON_FALSE:
    vh_buf_str(b, "false");
    break;
  case JSON_ARRAY:
    for (size_t i = 0; i < json_array_size(v); i++) {
      const json_t *e = json_array_get(v, i);
      if (i)
        vh_buf_add(b, ",", 1);
      if (!json_is_null(e))
        vh_js_string(b, e);
    }
    break;
  case JSON_OBJECT:
    vh_buf_str(b, "[object Object]");
    break;
  default:
    vh_buf_str(b, "null");
  }
  if (!b->p)
    vh_buf_add(b, "", 0);
}

static void json_quote(vh_buf *b, const char *s, size_t n) {
  vh_buf_add(b, "\"", 1);
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *esc = NULL;
    char u[8];
    switch (c) {
    case '"':
      esc = "\\\"";
      break;
    case '\\':
      esc = "\\\\";
      break;
    case '\b':
      esc = "\\b";
      break;
    case '\f':
      esc = "\\f";
      break;
    case '\n':
      esc = "\\n";
      break;
    case '\r':
      esc = "\\r";
      break;
    case '\t':
      esc = "\\t";
      break;
    default:
      if (c < 0x20) {
        snprintf(u, sizeof u, "\\u%04x", c);
        esc = u;
      }
    }
    if (!esc)
      continue;
    vh_buf_add(b, s + run, i - run);
    vh_buf_str(b, esc);
    run = i + 1;
  }
  vh_buf_add(b, s + run, n - run);
  vh_buf_add(b, "\"", 1);
}

void vh_json_stringify(vh_buf *b, const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: {
    vh_buf_add(b, "{", 1);
    const char *k;
    json_t *e;
    bool first = true;
    json_object_foreach((json_t *)v, k, e) {
      if (!first)
        vh_buf_add(b, ",", 1);
      first = false;
      json_quote(b, k, strlen(k));
      vh_buf_add(b, ":", 1);
      vh_json_stringify(b, e);
    }
    vh_buf_add(b, "}", 1);
    break;
  }
  case JSON_ARRAY:
    vh_buf_add(b, "[", 1);
    for (size_t i = 0; i < json_array_size(v); i++) {
      if (i)
        vh_buf_add(b, ",", 1);
      vh_json_stringify(b, json_array_get(v, i));
    }
    vh_buf_add(b, "]", 1);
    break;
  case JSON_STRING:
    json_quote(b, json_string_value(v), json_string_length(v));
    break;
  default:
    vh_js_string(b, v);
  }
}

/* ---- excerpts ---- */

void vh_excerpt(vh_buf *b, const char *text, size_t len, size_t max) {
  const unsigned char *u = (const unsigned char *)text;
  size_t start = b->len, i = 0;
  bool space = true; /* drops leading white space */
  vh_buf_add(b, "", 0);
  while (i < len) {
    bool ok;
    size_t n = utf8_seq(u + i, len - i, &ok);
    bool ws = n == 1 && (u[i] <= 0x20 || u[i] == 0x7F);
    const char *piece = ws ? " " : ok ? text + i : "?";
    size_t plen = ws || !ok ? 1 : n;
    i += n;
    if (ws && space)
      continue;
    if (b->len - start + plen > max) {
      while (b->len > start && b->p[b->len - 1] == ' ')
        b->len--;
      vh_buf_str(b, "\xE2\x80\xA6"); /* … */
      return;
    }
    vh_buf_add(b, piece, plen);
    space = ws;
  }
  while (b->len > start && b->p[b->len - 1] == ' ')
    b->p[--b->len] = '\0';
}

void vh_rfc3339_now(char out[32]) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
