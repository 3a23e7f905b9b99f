/* KFL value conversions and operators (kfl.md §4, exact numbers §9.2). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kfl_int.h"

bool kfl_truthy(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_STRING:
    return json_string_length(v) > 0;
  case JSON_TRUE:
    return true;
  case JSON_INTEGER:
    return json_integer_value(v) > 0;
  case JSON_REAL:
    return json_real_value(v) > 0;
  case JSON_ARRAY:
    return json_array_size(v) > 0;
  default:
    return false;
  }
}

/* ECMAScript Number::toString: shortest round-trip digits. */
void kfl_fmt_double(double d, char *buf, size_t cap) {
  if (isnan(d)) {
    snprintf(buf, cap, "NaN");
    return;
  }
  if (isinf(d)) {
    snprintf(buf, cap, d < 0 ? "-Infinity" : "Infinity");
    return;
  }
  if (d == 0) {
    snprintf(buf, cap, "0");
    return;
  }
  char tmp[40];
  int prec;
  for (prec = 1; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
    if (strtod(tmp, NULL) == d)
      break;
  }
  /* tmp = [-]D[.DDD]e[+-]XX */
  const char *p = tmp;
  bool neg = *p == '-';
  if (neg)
    p++;
  char digits[24];
  int k = 0;
  for (; *p && *p != 'e'; p++)
    if (*p != '.')
      digits[k++] = *p;
  while (k > 1 && digits[k - 1] == '0')
    k--;
  digits[k] = '\0';
  int n = atoi(p + 1) + 1;
  char out[64];
  size_t o = 0;
  if (neg)
    out[o++] = '-';
  if (k <= n && n <= 21) {
    memcpy(out + o, digits, (size_t)k);
    o += (size_t)k;
    for (int i = 0; i < n - k; i++)
      out[o++] = '0';
  } else if (0 < n && n <= 21) {
    memcpy(out + o, digits, (size_t)n);
    o += (size_t)n;
    out[o++] = '.';
    memcpy(out + o, digits + n, (size_t)(k - n));
    o += (size_t)(k - n);
  } else if (-6 < n && n <= 0) {
    out[o++] = '0';
    out[o++] = '.';
    for (int i = 0; i < -n; i++)
      out[o++] = '0';
    memcpy(out + o, digits, (size_t)k);
    o += (size_t)k;
  } else {
    out[o++] = digits[0];
    if (k > 1) {
      out[o++] = '.';
      memcpy(out + o, digits + 1, (size_t)(k - 1));
      o += (size_t)(k - 1);
    }
    o += (size_t)snprintf(out + o, sizeof out - o, "e%c%d",
                          n - 1 >= 0 ? '+' : '-', abs(n - 1));
  }
  out[o] = '\0';
  snprintf(buf, cap, "%s", out);
}

char *kfl_strform(const json_t *v) {
  char buf[64];
  switch (json_typeof(v)) {
  case JSON_STRING: {
    size_t n = json_string_length(v);
    char *s = malloc(n + 1);
    if (s) {
      memcpy(s, json_string_value(v), n);
      s[n] = '\0';
    }
    return s;
  }
  case JSON_INTEGER:
    snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
    return strdup(buf);
  case JSON_REAL:
    kfl_fmt_double(json_real_value(v), buf, sizeof buf);
    return strdup(buf);
  case JSON_TRUE:
    return strdup("true");
  case JSON_FALSE:
    return strdup("false");
  case JSON_NULL:
    return strdup("null");
  default:
    return strdup("");
  }
}

/* Number conversion for ordering; sets isint and iv for an exact int64. */
static long double tonum(const json_t *v, bool *isint, int64_t *iv) {
  *isint = false;
  switch (json_typeof(v)) {
  case JSON_INTEGER:
    *isint = true;
    *iv = json_integer_value(v);
    return (long double)*iv;
  case JSON_REAL:
    return json_real_value(v);
  case JSON_TRUE:
    *isint = true;
    *iv = 1;
    return 1;
  case JSON_STRING: {
    const char *s = json_string_value(v);
    char *end;
    if (!*s || strlen(s) != json_string_length(v))
      return 0;
    long long ll = strtoll(s, &end, 10);
    if (!*end && (s[0] == '-' || s[0] == '+' || (s[0] >= '0' && s[0] <= '9'))) {
      *isint = true;
      *iv = ll;
      return (long double)ll;
    }
    for (const char *q = s; *q; q++)
      if (!strchr("0123456789.eE+-", *q))
        return 0;
    double d = strtod(s, &end);
    return *end ? 0 : d;
  }
  default:
    *isint = true;
    *iv = 0;
    return 0;
  }
}

/* -1, 0, 1; 2 when unordered (NaN). */
static int numcmp(const json_t *a, const json_t *b) {
  bool ai, bi;
  int64_t av = 0, bv = 0;
  long double x = tonum(a, &ai, &av), y = tonum(b, &bi, &bv);
  if (ai && bi)
    return av < bv ? -1 : av > bv;
  if (isnan(x) || isnan(y))
    return 2;
  return x < y ? -1 : x > y;
}

static bool isnum(const json_t *v) {
  return json_is_integer(v) || json_is_real(v);
}

static bool deep_equal(const json_t *a, const json_t *b) {
  if (isnum(a) && isnum(b))
    return numcmp(a, b) == 0;
  if (json_typeof(a) != json_typeof(b))
    return false;
  if (json_is_array(a)) {
    if (json_array_size(a) != json_array_size(b))
      return false;
    for (size_t i = 0; i < json_array_size(a); i++)
      if (!deep_equal(json_array_get(a, i), json_array_get(b, i)))
        return false;
    return true;
  }
  if (json_is_object(a)) {
    if (json_object_size(a) != json_object_size(b))
      return false;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)a, k, v) {
      json_t *w = json_object_get(b, k);
      if (!w || !deep_equal(v, w))
        return false;
    }
    return true;
  }
  return json_equal(a, b);
}

static bool str_equal(const json_t *a, const json_t *b) {
  char *x = kfl_strform(a), *y = kfl_strform(b);
  bool r = x && y && !strcmp(x, y);
  free(x);
  free(y);
  return r;
}

static bool scalar_eq(const json_t *a, const kfl_regex *ra, const json_t *b,
                      const kfl_regex *rb) {
  if (ra || rb) {
    const kfl_regex *re = ra ? ra : rb;
    const json_t *other = ra ? b : a;
    if (!other) /* regex == regex */
      return false;
    char *s = kfl_strform(other);
    bool r = s && kfl_regex_search(re, s, strlen(s));
    free(s);
    return r;
  }
  if (isnum(a) && isnum(b))
    return numcmp(a, b) == 0;
  return str_equal(a, b);
}

static bool order(kfl_ntype op, const json_t *a, const json_t *b) {
  int c = numcmp(a, b);
  if (c == 2)
    return false;
  switch (op) {
  case N_LT:
    return c < 0;
  case N_LE:
    return c <= 0;
  case N_GT:
    return c > 0;
  default:
    return c >= 0;
  }
}

bool kfl_compare(kfl_ntype op, const json_t *a, const kfl_regex *ra,
                 const json_t *b, const kfl_regex *rb) {
  if (op == N_NE)
    return !kfl_compare(N_EQ, a, ra, b, rb);
  bool aa = a && json_is_array(a), ba = b && json_is_array(b);
  if (op == N_EQ) {
    if (aa && ba)
      return deep_equal(a, b);
    if (aa || ba) {
      const json_t *arr = aa ? a : b;
      for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *e = json_array_get(arr, i);
        if (aa ? scalar_eq(e, NULL, b, rb) : scalar_eq(a, ra, e, NULL))
          return true;
      }
      return false;
    }
    return scalar_eq(a, ra, b, rb);
  }
  /* ordering; a regex orders as its absent value (0) */
  json_t *zero = NULL;
  if (!a || !b) {
    zero = json_integer(0);
    if (!a)
      a = zero;
    if (!b)
      b = zero;
  }
  bool r;
  if (aa && ba) {
    r = true;
    for (size_t i = 0; r && i < json_array_size(a); i++)
      for (size_t j = 0; r && j < json_array_size(b); j++)
        r = order(op, json_array_get(a, i), json_array_get(b, j));
  } else if (aa || ba) {
    r = false;
    const json_t *arr = aa ? a : b;
    for (size_t i = 0; !r && i < json_array_size(arr); i++)
      r = aa ? order(op, json_array_get(arr, i), b)
             : order(op, a, json_array_get(arr, i));
  } else {
    r = order(op, a, b);
  }
  json_decref(zero);
  return r;
}
