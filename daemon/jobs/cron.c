/* Cron expressions (runtime.md §8.4): a small hand-written parser into
 * bit sets, and a next-fire search that skips whole months, days, hours
 * and minutes that cannot match.  UTC, own civil-date arithmetic. */
#include "config.h"

#include "jobs/cron.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cron_expr {
  uint64_t sec, min;       /* bits 0-59 */
  uint32_t hour;           /* bits 0-23 */
  uint32_t dom;            /* bits 1-31 */
  uint32_t month;          /* bits 1-12 */
  uint32_t dow;            /* bits 0-6, 0 = Sunday */
  bool dom_star, dow_star; /* field started with '*' or '?' (Vixie) */
  bool every;
  bool anchored;
  int64_t period; /* @every, seconds */
  int64_t anchor;
};

enum { F_SEC, F_MIN, F_HOUR, F_DOM, F_MONTH, F_DOW };

static const struct field_def {
  const char *name;
  int min, max; /* accepted values */
  int step_max; /* steps are 1..step_max */
} field_defs[] = {
    [F_SEC] = {"second", 0, 59, 60},  [F_MIN] = {"minute", 0, 59, 60},
    [F_HOUR] = {"hour", 0, 23, 24},   [F_DOM] = {"day-of-month", 1, 31, 31},
    [F_MONTH] = {"month", 1, 12, 12}, [F_DOW] = {"day-of-week", 0, 7, 7},
};

static const char *const month_names[] = {"jan", "feb", "mar", "apr",
                                          "may", "jun", "jul", "aug",
                                          "sep", "oct", "nov", "dec"};
static const char *const dow_names[] = {"sun", "mon", "tue", "wed",
                                        "thu", "fri", "sat"};

static void set_err(char *err, size_t errcap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errcap, const char *fmt, ...) {
  if (!err || errcap == 0)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errcap, fmt, ap);
  va_end(ap);
}

static bool is_space(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' ||
         ch == '\f';
}
static bool is_digit(char ch) {
  return ch >= '0' && ch <= '9';
}
static bool is_alpha(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}
static char lower(char ch) {
  return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

/* A character for a message: printable ASCII as is, anything else \xNN. */
static const char *show_char(char ch, char buf[8]) {
  unsigned char u = (unsigned char)ch;
  if (u >= 0x20 && u < 0x7f && u != '"' && u != '\\')
    snprintf(buf, 8, "%c", ch);
  else
    snprintf(buf, 8, "\\x%02x", u);
  return buf;
}

/* Parsing state of one field. */
struct fctx {
  const char *s;
  size_t len, pos;
  int fieldno; /* 1-based position in the input */
  const struct field_def *def;
  int kind;
  char *err;
  size_t errcap;
};

static bool unexpected(struct fctx *f) {
  char b[8];
  if (f->pos >= f->len)
    set_err(f->err, f->errcap,
            "field %d (%s): unexpected end of field \"%.*s\"", f->fieldno,
            f->def->name, (int)(f->len > 40 ? 40 : f->len), f->s);
  else
    set_err(f->err, f->errcap,
            "field %d (%s): unexpected character \"%s\" at position %zu",
            f->fieldno, f->def->name, show_char(f->s[f->pos], b), f->pos + 1);
  return false;
}

/* Reads a number or (month/weekday) a name into *out, range-checked
 * against lo..hi. */
static bool read_value(struct fctx *f, int lo, int hi, int *out) {
  size_t start = f->pos;
  if (f->pos < f->len && is_digit(f->s[f->pos])) {
    long v = 0;
    while (f->pos < f->len && is_digit(f->s[f->pos])) {
      if (v < 100000)
        v = v * 10 + (f->s[f->pos] - '0');
      f->pos++;
    }
    if (v < lo || v > hi) {
      size_t n = f->pos - start;
      set_err(f->err, f->errcap,
              "field %d (%s): \"%.*s\" is out of range %d-%d", f->fieldno,
              f->def->name, (int)(n > 20 ? 20 : n), f->s + start, lo, hi);
      return false;
    }
    *out = (int)v;
    return true;
  }
  if (f->pos < f->len && is_alpha(f->s[f->pos]) &&
      (f->kind == F_MONTH || f->kind == F_DOW)) {
    size_t n = 0;
    while (f->pos + n < f->len && is_alpha(f->s[f->pos + n]))
      n++;
    const char *const *names = f->kind == F_MONTH ? month_names : dow_names;
    int count = f->kind == F_MONTH ? 12 : 7, base = f->kind == F_MONTH ? 1 : 0;
    size_t best = 0; /* longest prefix shared with a name */
    for (int i = 0; i < count; i++) {
      size_t k = 0;
      while (k < 3 && k < n && lower(f->s[f->pos + k]) == names[i][k])
        k++;
      if (k == 3 && n == 3) {
        f->pos += 3;
        *out = i + base;
        return true;
      }
      if (k > best)
        best = k;
    }
    /* Point at the first character that no name allows. */
    f->pos += best;
    return unexpected(f);
  }
  return unexpected(f);
}

static bool parse_field(struct fctx *f, uint64_t *bits, bool *star) {
  const struct field_def *d = f->def;
  bool day = f->kind == F_DOM || f->kind == F_DOW;
  *bits = 0;
  *star = f->len > 0 && (f->s[0] == '*' || (day && f->s[0] == '?'));
  for (;;) { /* one list item per turn; each consumes >= 1 character */
    int lo, hi, step = 1;
    size_t item = f->pos;
    if (f->pos < f->len &&
        (f->s[f->pos] == '*' || (day && f->s[f->pos] == '?'))) {
      f->pos++;
      lo = d->min;
      hi = d->max; /* day-of-week: 0-7, 7 folds onto Sunday */
    } else {
      if (!read_value(f, d->min, d->max, &lo))
        return false;
      hi = lo;
      if (f->pos < f->len && f->s[f->pos] == '-') {
        f->pos++;
        if (!read_value(f, d->min, d->max, &hi))
          return false;
        if (f->kind == F_DOW && hi == 0 && lo > 0)
          hi = 7; /* FRI-SUN */
        if (hi < lo) {
          set_err(f->err, f->errcap,
                  "field %d (%s): range \"%.*s\" is reversed", f->fieldno,
                  d->name, (int)(f->pos - item > 40 ? 40 : f->pos - item),
                  f->s + item);
          return false;
        }
      } else if (f->pos < f->len && f->s[f->pos] == '/') {
        hi = d->max; /* a/n = a-max/n */
      }
    }
    if (f->pos < f->len && f->s[f->pos] == '/') {
      f->pos++;
      int span = d->step_max;
      if (f->pos >= f->len || !is_digit(f->s[f->pos]))
        return unexpected(f);
      size_t st = f->pos;
      long v = 0;
      while (f->pos < f->len && is_digit(f->s[f->pos])) {
        if (v < 100000)
          v = v * 10 + (f->s[f->pos] - '0');
        f->pos++;
      }
      if (v < 1 || v > span) {
        size_t n = f->pos - st;
        set_err(f->err, f->errcap,
                "field %d (%s): step \"%.*s\" is out of range 1-%d", f->fieldno,
                d->name, (int)(n > 20 ? 20 : n), f->s + st, span);
        return false;
      }
      step = (int)v;
    }
    for (int v = lo; v <= hi; v += step) {
      int b = (f->kind == F_DOW && v == 7) ? 0 : v;
      *bits |= 1ULL << b;
    }
    if (f->pos >= f->len)
      return true;
    if (f->s[f->pos] != ',')
      return unexpected(f);
    f->pos++;
    if (f->pos >= f->len)
      return unexpected(f);
  }
}

/* Parses 5 or 6 whitespace-separated fields into c. */
static bool parse_fields(const char *text, cron_expr *c, char *err,
                         size_t errcap) {
  const char *fs[7];
  size_t fl[7];
  int n = 0;
  const char *p = text;
  for (;;) {
    while (*p && is_space(*p))
      p++;
    if (!*p)
      break;
    const char *q = p;
    while (*q && !is_space(*q))
      q++;
    if (n < 7) {
      fs[n] = p;
      fl[n] = (size_t)(q - p);
    }
    n++;
    p = q;
  }
  if (n == 0) {
    set_err(err, errcap, "empty expression");
    return false;
  }
  if (n != 5 && n != 6) {
    set_err(err, errcap, "expected 5 or 6 fields, got %d", n);
    return false;
  }
  int first = n == 6 ? F_SEC : F_MIN;
  if (n == 5)
    c->sec = 1; /* second 0 */
  for (int i = 0; i < n; i++) {
    int kind = first + i;
    struct fctx f = {fs[i], fl[i], 0,     i + 1, &field_defs[kind],
                     kind,  err,   errcap};
    uint64_t bits;
    bool star;
    if (!parse_field(&f, &bits, &star))
      return false;
    switch (kind) {
    case F_SEC:
      c->sec = bits;
      break;
    case F_MIN:
      c->min = bits;
      break;
    case F_HOUR:
      c->hour = (uint32_t)bits;
      break;
    case F_DOM:
      c->dom = (uint32_t)bits;
      c->dom_star = star;
      break;
    case F_MONTH:
      c->month = (uint32_t)bits;
      break;
    default:
      c->dow = (uint32_t)bits;
      c->dow_star = star;
      break;
    }
  }
  return true;
}

/* Go's time.ParseDuration, in whole seconds (sub-second parts are
 * truncated after summing).  Returns false on a syntax error or overflow. */
static bool parse_go_duration(const char *s, size_t len, int64_t *secs) {
  size_t i = 0;
  bool neg = false;
  if (i < len && (s[i] == '-' || s[i] == '+'))
    neg = s[i++] == '-';
  if (len - i == 1 && s[i] == '0') {
    *secs = 0;
    return true;
  }
  if (i >= len)
    return false;
  uint64_t total = 0; /* nanoseconds */
  const uint64_t limit = (uint64_t)INT64_MAX;
  while (i < len) {
    uint64_t whole = 0, frac = 0, scale = 1;
    bool any = false;
    while (i < len && is_digit(s[i])) {
      if (whole > (limit - 9) / 10)
        return false;
      whole = whole * 10 + (uint64_t)(s[i] - '0');
      i++;
      any = true;
    }
    if (i < len && s[i] == '.') {
      i++;
      while (i < len && is_digit(s[i])) {
        if (scale < 1000000000000000000ULL) { /* keep 18 digits */
          frac = frac * 10 + (uint64_t)(s[i] - '0');
          scale *= 10;
        }
        i++;
        any = true;
      }
    }
    if (!any)
      return false;
    size_t u = i;
    while (i < len && !is_digit(s[i]) && s[i] != '.')
      i++;
    size_t ul = i - u;
    uint64_t unit;
    if (ul == 2 && !memcmp(s + u, "ns", 2))
      unit = 1;
    else if (ul == 2 && !memcmp(s + u, "us", 2))
      unit = 1000;
    else if (ul == 3 && !memcmp(s + u, "\xc2\xb5s", 3))
      unit = 1000;
    else if (ul == 3 && !memcmp(s + u, "\xce\xbcs", 3))
      unit = 1000;
    else if (ul == 2 && !memcmp(s + u, "ms", 2))
      unit = 1000000;
    else if (ul == 1 && s[u] == 's')
      unit = 1000000000ULL;
    else if (ul == 1 && s[u] == 'm')
      unit = 60000000000ULL;
    else if (ul == 1 && s[u] == 'h')
      unit = 3600000000000ULL;
    else
      return false;
    if (whole > limit / unit)
      return false;
    uint64_t v = whole * unit;
    /* frac/scale * unit, without overflow: unit <= 3.6e12, frac < scale. */
    long double fv = (long double)frac * (long double)unit / (long double)scale;
    v += (uint64_t)fv;
    if (v > limit || total > limit - v)
      return false;
    total += v;
  }
  int64_t sec = (int64_t)(total / 1000000000ULL);
  *secs = neg ? -sec : sec;
  return true;
}

static bool word_is(const char *s, size_t len, const char *word) {
  if (strlen(word) != len)
    return false;
  for (size_t i = 0; i < len; i++)
    if (lower(s[i]) != word[i])
      return false;
  return true;
}

cron_expr *cron_parse(const char *text, char *err, size_t errcap) {
  if (err && errcap)
    err[0] = '\0';
  if (!text) {
    set_err(err, errcap, "empty expression");
    return NULL;
  }
  cron_expr *c = calloc(1, sizeof *c);
  if (!c) {
    set_err(err, errcap, "out of memory");
    return NULL;
  }
  const char *p = text;
  while (*p && is_space(*p))
    p++;
  if (*p != '@') {
    if (parse_fields(p, c, err, errcap))
      return c;
    free(c);
    return NULL;
  }
  const char *w = p;
  while (*p && !is_space(*p))
    p++;
  size_t wl = (size_t)(p - w);
  while (*p && is_space(*p))
    p++;
  const char *arg = p;
  while (*p && !is_space(*p))
    p++;
  size_t al = (size_t)(p - arg);
  while (*p && is_space(*p))
    p++;
  const char *equiv = NULL;
  if (word_is(w, wl, "@yearly") || word_is(w, wl, "@annually"))
    equiv = "0 0 0 1 1 *";
  else if (word_is(w, wl, "@monthly"))
    equiv = "0 0 0 1 * *";
  else if (word_is(w, wl, "@weekly"))
    equiv = "0 0 0 * * 0";
  else if (word_is(w, wl, "@daily") || word_is(w, wl, "@midnight"))
    equiv = "0 0 0 * * *";
  else if (word_is(w, wl, "@hourly"))
    equiv = "0 0 * * * *";
  else if (word_is(w, wl, "@every")) {
    int64_t secs;
    if (al == 0) {
      set_err(err, errcap, "@every: missing duration");
    } else if (*p) {
      set_err(err, errcap, "@every: unexpected text after the duration");
    } else if (!parse_go_duration(arg, al, &secs)) {
      set_err(err, errcap, "@every: invalid duration \"%.*s\"",
              (int)(al > 40 ? 40 : al), arg);
    } else if (secs < 1) {
      set_err(err, errcap, "@every: duration \"%.*s\" is less than 1s",
              (int)(al > 40 ? 40 : al), arg);
    } else {
      c->every = true;
      c->period = secs;
      return c;
    }
    free(c);
    return NULL;
  } else {
    set_err(err, errcap, "unknown descriptor \"%.*s\"",
            (int)(wl > 40 ? 40 : wl), w);
    free(c);
    return NULL;
  }
  if (al) {
    set_err(err, errcap, "unexpected text after \"%.*s\"",
            (int)(wl > 40 ? 40 : wl), w);
    free(c);
    return NULL;
  }
  if (!parse_fields(equiv, c, err, errcap)) { /* cannot happen */
    free(c);
    return NULL;
  }
  return c;
}

void cron_free(cron_expr *c) {
  free(c);
}

void cron_set_anchor(cron_expr *c, int64_t anchor) {
  if (!c)
    return;
  c->anchor = anchor;
  c->anchored = true;
}

/* Civil-date arithmetic (proleptic Gregorian), after H. Hinnant. */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m) {
  static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return 29;
  return dim[m - 1];
}

/* Lowest set bit >= from, or -1. */
static int next_bit(uint64_t bits, int from) {
  if (from > 63)
    return -1;
  uint64_t m = bits & (~0ULL << from);
  return m ? __builtin_ctzll(m) : -1;
}

#define CRON_MIN_T INT64_C(-62135596800) /* 0001-01-01T00:00:00Z */
#define CRON_MAX_T INT64_C(253402300799) /* 9999-12-31T23:59:59Z */
#define CRON_HORIZON (INT64_C(5) * 366 * 86400)

static int64_t next_every(cron_expr *c, int64_t after) {
  if (!c->anchored)
    cron_set_anchor(c, after);
  int64_t a = c->anchor, d = c->period, n = 1;
  if (after >= a) {
    /* (after - a) may overflow for extreme values: compute in unsigned. */
    uint64_t diff = (uint64_t)after - (uint64_t)a;
    uint64_t k = diff / (uint64_t)d + 1;
    if (k > (uint64_t)INT64_MAX)
      return -1;
    n = (int64_t)k;
  }
  if (n > (INT64_MAX - (a > 0 ? a : 0)) / d)
    return -1;
  int64_t r = a + n * d;
  return r > after ? r : -1;
}

int64_t cron_next(const cron_expr *cc, int64_t after) {
  if (!cc)
    return -1;
  /* The object is never const in storage; only @every's lazy anchor
   * writes to it. */
  if (cc->every)
    return next_every((cron_expr *)(uintptr_t)cc, after);
  if (after < CRON_MIN_T - 1 || after >= CRON_MAX_T)
    return -1;
  int64_t t = after + 1;
  int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  int64_t rem = t - days * 86400;
  int64_t y;
  int mo, d;
  civil_from_days(days, &y, &mo, &d);
  int h = (int)(rem / 3600), mi = (int)(rem / 60 % 60), s = (int)(rem % 60);
  int64_t ylimit = y + 6;
  bool dom_or = !cc->dom_star && !cc->dow_star;

  /* Each turn either returns or moves the candidate forward by at least
   * one field unit; the bound is far above the worst case (a few
   * thousand turns over 6 years). */
  for (int guard = 0; guard < 200000; guard++) {
    if (y > ylimit || y > 9999)
      return -1;
    if (!(cc->month & (1u << mo))) {
      int nm = next_bit(cc->month, mo + 1);
      if (nm < 0 || nm > 12) {
        y++;
        nm = next_bit(cc->month, 1);
        if (nm < 0)
          return -1;
      }
      mo = nm;
      d = 1;
      h = mi = s = 0;
      continue;
    }
    int dim = days_in_month(y, mo);
    if (d > dim) {
      mo++;
      if (mo > 12) {
        mo = 1;
        y++;
      }
      d = 1;
      h = mi = s = 0;
      continue;
    }
    int64_t dn = days_from_civil(y, mo, d);
    int wd = (int)(((dn % 7) + 11) % 7); /* 1970-01-01 was a Thursday (4) */
    bool dom_ok = (cc->dom >> d) & 1, dow_ok = (cc->dow >> wd) & 1;
    if (!(dom_or ? (dom_ok || dow_ok) : (dom_ok && dow_ok))) {
      d++;
      h = mi = s = 0;
      continue;
    }
    int nh = next_bit(cc->hour, h);
    if (nh < 0 || nh > 23) {
      d++;
      h = mi = s = 0;
      continue;
    }
    if (nh != h) {
      h = nh;
      mi = s = 0;
    }
    int nmi = next_bit(cc->min, mi);
    if (nmi < 0 || nmi > 59) {
      h++;
      mi = s = 0;
      if (h > 23) {
        d++;
        h = 0;
      }
      continue;
    }
    if (nmi != mi) {
      mi = nmi;
      s = 0;
    }
    int ns = next_bit(cc->sec, s);
    if (ns < 0 || ns > 59) {
      mi++;
      s = 0;
      if (mi > 59) {
        mi = 0;
        h++;
        if (h > 23) {
          d++;
          h = 0;
        }
      }
      continue;
    }
    int64_t r = dn * 86400 + h * 3600 + mi * 60 + ns;
    if (r <= after || r - after > CRON_HORIZON)
      return -1;
    return r;
  }
  return -1;
}
