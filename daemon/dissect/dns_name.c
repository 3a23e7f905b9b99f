/* Bounded reads over a DNS message and name decompression.  Pointers
 * must point strictly backwards, which rules out loops; the jump count
 * and the 255-byte name limit are checked as well. */
#include "config.h"

#include <stdio.h>

#include "dissect/dns_int.h"

#define DNS_MAX_JUMPS 64
#define DNS_MAX_WIRE 255

int dns_bytes(dns_cur *c, size_t n, const uint8_t **p) {
  if (c->off > c->end || n > c->end - c->off)
    return -1;
  *p = c->msg + c->off;
  c->off += n;
  return 0;
}

int dns_u8(dns_cur *c, uint8_t *v) {
  const uint8_t *p;
  if (dns_bytes(c, 1, &p) < 0)
    return -1;
  *v = p[0];
  return 0;
}

int dns_u16(dns_cur *c, uint16_t *v) {
  const uint8_t *p;
  if (dns_bytes(c, 2, &p) < 0)
    return -1;
  *v = (uint16_t)(p[0] << 8 | p[1]);
  return 0;
}

int dns_u32(dns_cur *c, uint32_t *v) {
  const uint8_t *p;
  if (dns_bytes(c, 4, &p) < 0)
    return -1;
  *v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
  return 0;
}

/* Appends one label in presentation form; o is the text length so far.
 * 255 wire bytes need at most 4 text bytes each, so this never fills
 * the buffer, but the bound is checked anyway. */
static int put_label(char *out, size_t *o, const uint8_t *p, size_t n) {
  if (*o > 0)
    out[(*o)++] = '.';
  for (size_t i = 0; i < n; i++) {
    if (*o + 5 >= DNS_NAME_TEXT_MAX)
      return -1;
    uint8_t b = p[i];
    if (b < '!' || b > '~')
      *o += (size_t)snprintf(out + *o, 5, "\\%03u", b);
    else if (b == '.' || b == '\\') {
      out[(*o)++] = '\\';
      out[(*o)++] = (char)b;
    } else
      out[(*o)++] = (char)b;
  }
  out[*o] = '\0';
  return 0;
}

int dns_name(dns_cur *c, char out[DNS_NAME_TEXT_MAX]) {
  const uint8_t *m = c->msg;
  size_t pos = c->off, lim = c->end, after = 0, wire = 0, o = 0;
  unsigned jumps = 0;
  out[0] = '\0';
  if (lim > c->len)
    return -1;
  for (;;) {
    if (pos >= lim)
      return -1;
    uint8_t b = m[pos];
    if ((b & 0xc0) == 0xc0) {
      if (pos + 1 >= lim)
        return -1;
      size_t target = (size_t)(b & 0x3f) << 8 | m[pos + 1];
      if (target >= pos || ++jumps > DNS_MAX_JUMPS)
        return -1;
      if (jumps == 1)
        after = pos + 2;
      pos = target;
      lim = c->len; /* the rest of the name may lie anywhere earlier */
      continue;
    }
    if (b & 0xc0) /* extended label types (RFC 6891 §5) are obsolete */
      return -1;
    wire += 1u + b;
    if (b == 0)
      break;
    if (wire + 1 > DNS_MAX_WIRE || b > lim - pos - 1)
      return -1;
    if (put_label(out, &o, m + pos + 1, b) < 0)
      return -1;
    pos += 1u + b;
  }
  c->off = jumps ? after : pos + 1;
  return 0;
}

bool dns_name_eq(const char *a, const char *b) {
  for (;; a++, b++) {
    char x = *a, y = *b;
    if (x >= 'A' && x <= 'Z')
      x = (char)(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z')
      y = (char)(y - 'A' + 'a');
    if (x != y)
      return false;
    if (!x)
      return true;
  }
}
