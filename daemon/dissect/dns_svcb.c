/* SvcParams of SVCB/HTTPS records (RFC 9460 §2.1) in presentation form.
 * Values are quoted as dnspython writes them, which RFC 9460 allows. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>

#include "dissect/dns_int.h"

static const char *const key_names[] = {
    "mandatory", "alpn", "no-default-alpn", "port",
    "ipv4hint",  "ech",  "ipv6hint",        "dohpath",
};

static int put_key(strbuf *sb, uint16_t key) {
  if (key < sizeof key_names / sizeof key_names[0])
    return sb_puts(sb, key_names[key]);
  return sb_printf(sb, "key%u", key);
}

static int put_mandatory(strbuf *sb, const uint8_t *p, size_t n) {
  if (n == 0 || n % 2)
    return -1;
  for (size_t i = 0; i < n; i += 2) {
    if ((i && sb_puts(sb, ",") < 0) ||
        put_key(sb, (uint16_t)(p[i] << 8 | p[i + 1])) < 0)
      return -1;
  }
  return 0;
}

/* alpn: character-strings; a comma inside an id is escaped twice
 * (once for the list, once for the zone file). */
static int put_alpn(strbuf *sb, const uint8_t *p, size_t n) {
  size_t i = 0;
  if (n == 0)
    return -1;
  while (i < n) {
    size_t len = p[i++];
    if (len == 0 || len > n - i)
      return -1;
    if (i > 1 && sb_puts(sb, ",") < 0)
      return -1;
    for (size_t k = i; k < i + len; k++) {
      int rc = p[k] == ',' ? sb_puts(sb, "\\\\,")
                           : dns_put_escaped(sb, p + k, 1, NULL);
      if (rc < 0)
        return -1;
    }
    i += len;
  }
  return 0;
}

static int put_addrs(strbuf *sb, const uint8_t *p, size_t n, int af) {
  size_t step = af == AF_INET ? 4 : 16;
  char text[INET6_ADDRSTRLEN];
  if (n == 0 || n % step)
    return -1;
  for (size_t i = 0; i < n; i += step) {
    if (!inet_ntop(af, p + i, text, sizeof text) ||
        (i && sb_puts(sb, ",") < 0) || sb_puts(sb, text) < 0)
      return -1;
  }
  return 0;
}

static int put_value(strbuf *sb, uint16_t key, const uint8_t *p, size_t n) {
  switch (key) {
  case 0:
    return put_mandatory(sb, p, n);
  case 1:
    return put_alpn(sb, p, n);
  case 3:
    return n == 2 ? sb_printf(sb, "%u", p[0] << 8 | p[1]) : -1;
  case 4:
    return put_addrs(sb, p, n, AF_INET);
  case 5:
    return dns_put_base64(sb, p, n);
  case 6:
    return put_addrs(sb, p, n, AF_INET6);
  default:
    return dns_put_escaped(sb, p, n, NULL);
  }
}

int dns_svcb_params(dns_cur *c, strbuf *out) {
  while (c->off < c->end) {
    uint16_t key, n;
    const uint8_t *p;
    if (dns_u16(c, &key) < 0 || dns_u16(c, &n) < 0 || dns_bytes(c, n, &p) < 0)
      return -1;
    if (sb_puts(out, " ") < 0 || put_key(out, key) < 0)
      return -1;
    if (key == 2 && n != 0) /* no-default-alpn has no value */
      return -1;
    if (key == 2 || (n == 0 && key > 6))
      continue;
    if (sb_puts(out, "=\"") < 0 || put_value(out, key, p, n) < 0 ||
        sb_puts(out, "\"") < 0)
      return -1;
  }
  return 0;
}
