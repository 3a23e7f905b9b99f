/* KFL helper primitives: datetime() parsing and base64 (kfl.md §3, §5). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kfl_int.h"

static int digits(const char **p, int min, int max, int *out) {
  int n = 0, v = 0;
  while (n < max && isdigit((unsigned char)**p)) {
    v = v * 10 + (**p - '0');
    (*p)++;
    n++;
  }
  if (n < min)
    return -1;
  *out = v;
  return 0;
}

static int lit(const char **p, const char *s) {
  size_t n = strlen(s);
  if (strncmp(*p, s, n))
    return -1;
  *p += n;
  return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* Go layout "1/2/2006, 3:04:05.000 PM", UTC, milliseconds required. */
int64_t kfl_datetime(const char *s, bool *ok) {
  const char *p = s;
  int mo, d, y, h, mi, se, ms;
  *ok = false;
  if (digits(&p, 1, 2, &mo) || lit(&p, "/") || digits(&p, 1, 2, &d) ||
      lit(&p, "/") || digits(&p, 4, 4, &y) || lit(&p, ", ") ||
      digits(&p, 1, 2, &h) || lit(&p, ":") || digits(&p, 2, 2, &mi) ||
      lit(&p, ":") || digits(&p, 2, 2, &se) || lit(&p, ".") ||
      digits(&p, 3, 3, &ms) || lit(&p, " "))
    return 0;
  bool pm;
  if (!lit(&p, "PM"))
    pm = true;
  else if (!lit(&p, "AM"))
    pm = false;
  else
    return 0;
  if (*p || mo < 1 || mo > 12 || h < 1 || h > 12 || mi > 59 || se > 59)
    return 0;
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
    return 0;
  h = h % 12 + (pm ? 12 : 0);
  *ok = true;
  int64_t days = days_from_civil(y, mo, d);
  return ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)se * 1000 + ms;
}

static int b64val(int c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

unsigned char *kfl_base64_decode(const char *s, size_t len, size_t *outlen) {
  if (len == 0 || len % 4)
    return NULL;
  size_t pad = 0;
  if (s[len - 1] == '=')
    pad++;
  if (s[len - 2] == '=')
    pad++;
  if (pad == 1 && s[len - 2] == '=')
    return NULL;
  unsigned char *o = malloc(len / 4 * 3 + 1);
  if (!o)
    return NULL;
  size_t n = 0;
  for (size_t i = 0; i < len; i += 4) {
    int v[4];
    for (int k = 0; k < 4; k++) {
      bool padpos = i + (size_t)k >= len - pad;
      v[k] = padpos ? 0 : b64val((unsigned char)s[i + (size_t)k]);
      if (v[k] < 0) {
        free(o);
        return NULL;
      }
    }
    unsigned long w = ((unsigned long)v[0] << 18) |
                      ((unsigned long)v[1] << 12) | ((unsigned long)v[2] << 6) |
                      (unsigned long)v[3];
    o[n++] = (unsigned char)(w >> 16);
    if (i + 4 < len || pad < 2)
      o[n++] = (unsigned char)(w >> 8);
    if (i + 4 < len || pad < 1)
      o[n++] = (unsigned char)w;
  }
  o[n] = '\0';
  *outlen = n;
  return o;
}

char *kfl_base64_encode(const unsigned char *s, size_t len) {
  static const char tab[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *o = malloc((len + 2) / 3 * 4 + 1);
  if (!o)
    return NULL;
  size_t n = 0;
  for (size_t i = 0; i < len; i += 3) {
    unsigned long w = (unsigned long)s[i] << 16;
    if (i + 1 < len)
      w |= (unsigned long)s[i + 1] << 8;
    if (i + 2 < len)
      w |= s[i + 2];
    o[n++] = tab[(w >> 18) & 63];
    o[n++] = tab[(w >> 12) & 63];
    o[n++] = i + 1 < len ? tab[(w >> 6) & 63] : '=';
    o[n++] = i + 2 < len ? tab[w & 63] : '=';
  }
  o[n] = '\0';
  return o;
}
