/* Text encoders for RDATA presentation: hex, base64, base32hex, quoted
 * character-strings, and UTF-8 repair for the free-text fields. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dissect/dns_int.h"

int dns_put_hex(strbuf *out, const uint8_t *p, size_t n) {
  static const char hx[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    char two[2] = {hx[p[i] >> 4], hx[p[i] & 15]};
    if (sb_append(out, two, 2) < 0)
      return -1;
  }
  return 0;
}

int dns_put_base64(strbuf *out, const uint8_t *p, size_t n) {
  static const char al[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16;
    if (i + 1 < n)
      v |= (uint32_t)p[i + 1] << 8;
    if (i + 2 < n)
      v |= p[i + 2];
    char q[4] = {al[v >> 18], al[(v >> 12) & 63],
                 i + 1 < n ? al[(v >> 6) & 63] : '=',
                 i + 2 < n ? al[v & 63] : '='};
    if (sb_append(out, q, 4) < 0)
      return -1;
  }
  return 0;
}

/* RFC 4648 §7 without padding, lower case (NSEC3 next hashed owner). */
int dns_put_base32hex(strbuf *out, const uint8_t *p, size_t n) {
  static const char al[] = "0123456789abcdefghijklmnopqrstuv";
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    acc = (acc << 8 | p[i]) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      if (sb_append(out, &al[(acc >> bits) & 31], 1) < 0)
        return -1;
    }
  }
  if (bits > 0 && sb_append(out, &al[(acc << (5 - bits)) & 31], 1) < 0)
    return -1;
  return 0;
}

int dns_put_escaped(strbuf *out, const uint8_t *p, size_t n,
                    const char *extra) {
  for (size_t i = 0; i < n; i++) {
    uint8_t b = p[i];
    int rc;
    if (b < ' ' || b > '~')
      rc = sb_printf(out, "\\%03u", b);
    else if (b == '"' || b == '\\' || (extra && b && strchr(extra, b)))
      rc = sb_printf(out, "\\%c", b);
    else
      rc = sb_append(out, (const char *)&p[i], 1);
    if (rc < 0)
      return -1;
  }
  return 0;
}

int dns_put_quoted(strbuf *out, const uint8_t *p, size_t n) {
  if (sb_append(out, "\"", 1) < 0 || dns_put_escaped(out, p, n, NULL) < 0)
    return -1;
  return sb_append(out, "\"", 1);
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 if it is not valid. */
static size_t utf8_seq(const uint8_t *p, size_t n) {
  uint8_t b = p[0];
  size_t len;
  uint8_t lo = 0x80, hi = 0xbf;
  if (b < 0x80)
    return 1;
  if (b >= 0xc2 && b <= 0xdf)
    len = 2;
  else if (b >= 0xe0 && b <= 0xef) {
    len = 3;
    lo = b == 0xe0 ? 0xa0 : 0x80;
    hi = b == 0xed ? 0x9f : 0xbf;
  } else if (b >= 0xf0 && b <= 0xf4) {
    len = 4;
    lo = b == 0xf0 ? 0x90 : 0x80;
    hi = b == 0xf4 ? 0x8f : 0xbf;
  } else
    return 0;
  if (len > n || p[1] < lo || p[1] > hi)
    return 0;
  for (size_t i = 2; i < len; i++)
    if ((p[i] & 0xc0) != 0x80)
      return 0;
  return len;
}

int dns_put_utf8(strbuf *out, const uint8_t *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    size_t k = utf8_seq(p + i, n - i);
    int rc = k ? sb_append(out, (const char *)p + i, k)
               : sb_append(out, "\xef\xbf\xbd", 3);
    if (rc < 0)
      return -1;
    i += k ? k : 1;
  }
  return 0;
}
