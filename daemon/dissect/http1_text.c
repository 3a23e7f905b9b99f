/* Text helpers of the HTTP/1.x dissector: bytes from the wire to valid
 * UTF-8 JSON strings, base64, percent-decoding, sorted objects. */
#include "config.h"

#include "dissect/http1_internal.h"

#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), 0 when p starts an invalid one. */
static size_t utf8_seq(const uint8_t *p, size_t n) {
  uint8_t b = p[0];
  if (b < 0x80)
    return 1;
  size_t len;
  uint8_t lo = 0x80, hi = 0xBF;
  if (b >= 0xC2 && b <= 0xDF)
    len = 2;
  else if (b >= 0xE0 && b <= 0xEF) {
    len = 3;
    if (b == 0xE0)
      lo = 0xA0;
    else if (b == 0xED)
      hi = 0x9F;
  } else if (b >= 0xF0 && b <= 0xF4) {
    len = 4;
    if (b == 0xF0)
      lo = 0x90;
    else if (b == 0xF4)
      hi = 0x8F;
  } else
    return 0;
  if (n < len || p[1] < lo || p[1] > hi)
    return 0;
  for (size_t i = 2; i < len; i++)
    if (p[i] < 0x80 || p[i] > 0xBF)
      return 0;
  return len;
}

bool h1_utf8_valid(const uint8_t *p, size_t len) {
  for (size_t i = 0; i < len;) {
    size_t n = utf8_seq(p + i, len - i);
    if (!n)
      return false;
    i += n;
  }
  return true;
}

/* Copies p to a new buffer, each invalid byte becoming U+FFFD (as Go's
 * encoding/json does, so items match Kubeshark's).  no_nul also turns
 * NUL into U+FFFD, for object keys that end up as C strings. */
static char *utf8_clean(const uint8_t *p, size_t len, bool no_nul,
                        size_t *out_len) {
  if (len > (SIZE_MAX - 1) / 3)
    return NULL;
  char *out = malloc(len * 3 + 1), *o = out;
  if (!out)
    return NULL;
  for (size_t i = 0; i < len;) {
    size_t n = utf8_seq(p + i, len - i);
    if (!n || (no_nul && p[i] == 0)) {
      memcpy(o, "\xEF\xBF\xBD", 3);
      o += 3;
      i++;
      continue;
    }
    memcpy(o, p + i, n);
    o += n;
    i += n;
  }
  *o = '\0';
  *out_len = (size_t)(o - out);
  return out;
}

char *h1_key(const void *data, size_t len) {
  size_t n;
  return utf8_clean(data, len, true, &n);
}

json_t *h1_jstr(const void *data, size_t len) {
  const uint8_t *p = data;
  /* Checked here already: jansson need not validate again. */
  if (h1_utf8_valid(p, len))
    return json_stringn_nocheck(len ? data : "", len);
  size_t n;
  char *s = utf8_clean(p, len, false, &n);
  if (!s)
    return NULL;
  json_t *j = json_stringn_nocheck(s, n);
  free(s);
  return j;
}

json_t *h1_base64(const uint8_t *p, size_t len) {
  static const char tab[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t out_len = (len + 2) / 3 * 4;
  char *out = malloc(out_len + 1), *o = out;
  if (!out)
    return NULL;
  size_t i = 0;
  for (; i + 2 < len; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
    *o++ = tab[v >> 18];
    *o++ = tab[(v >> 12) & 63];
    *o++ = tab[(v >> 6) & 63];
    *o++ = tab[v & 63];
  }
  if (i < len) {
    uint32_t v = (uint32_t)p[i] << 16;
    if (i + 1 < len)
      v |= (uint32_t)p[i + 1] << 8;
    *o++ = tab[v >> 18];
    *o++ = tab[(v >> 12) & 63];
    *o++ = i + 1 < len ? tab[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
  json_t *j = json_stringn_nocheck(out, out_len); /* base64 is ASCII */
  free(out);
  return j;
}

int h1_hexval(char ch) {
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  if (ch >= 'a' && ch <= 'f')
    return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F')
    return ch - 'A' + 10;
  return -1;
}

size_t h1_unescape(char *s, size_t len, bool plus, bool *bad) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '%' && i + 2 < len && h1_hexval(s[i + 1]) >= 0 &&
        h1_hexval(s[i + 2]) >= 0) {
      s[o++] = (char)(h1_hexval(s[i + 1]) << 4 | h1_hexval(s[i + 2]));
      i += 2;
      continue;
    }
    if (s[i] == '%' && bad)
      *bad = true;
    s[o++] = plus && s[i] == '+' ? ' ' : s[i];
  }
  return o;
}

int h1_obj_join(json_t *obj, const char *key, size_t key_len, json_t *value) {
  char *k = h1_key(key, key_len);
  if (!k || !value) {
    free(k);
    json_decref(value);
    return -1;
  }
  json_t *old = json_object_get(obj, k);
  int rc;
  if (old && json_is_string(old) && json_is_string(value)) {
    size_t a = json_string_length(old), b = json_string_length(value);
    char *joined = malloc(a + b + 3);
    rc = -1;
    if (joined) {
      memcpy(joined, json_string_value(old), a);
      memcpy(joined + a, ", ", 2);
      memcpy(joined + a + 2, json_string_value(value), b);
      rc = json_object_set_new(obj, k, json_stringn(joined, a + b + 2));
      free(joined);
    }
    json_decref(value);
  } else
    rc = json_object_set_new(obj, k, value);
  free(k);
  return rc;
}

static int cmp_keys(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *h1_obj_sorted(json_t *obj) {
  size_t n = json_object_size(obj);
  const char **keys = malloc((n ? n : 1) * sizeof *keys);
  json_t *out = json_object();
  if (!keys || !out) {
    free(keys);
    json_decref(out);
    json_decref(obj);
    return NULL;
  }
  size_t i = 0;
  const char *k;
  json_t *v;
  json_object_foreach(obj, k, v) keys[i++] = k;
  qsort(keys, n, sizeof *keys, cmp_keys);
  for (i = 0; i < n; i++)
    json_object_set(out, keys[i], json_object_get(obj, keys[i]));
  free(keys);
  json_decref(obj);
  return out;
}
