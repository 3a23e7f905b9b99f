/* RDATA of each record type in zone-file presentation form, plus the
 * one type-specific field of item-model.md §8 (ip, ns, cname, ...).
 * RDATA that does not parse as its type, or leaves bytes over, falls
 * back to the RFC 3597 form "\# <len> <hex>" used for unknown types. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <time.h>

#include "dissect/dns_int.h"

typedef struct rd_out {
  strbuf *rdata, *field;
  const char **key;
} rd_out;

typedef int (*rd_fn)(dns_cur *c, uint16_t type, rd_out *o);

/* Appends " " between tokens, never before the first. */
static int sep(strbuf *sb) {
  return sb->len ? sb_append(sb, " ", 1) : 0;
}

static int put_num(strbuf *sb, uint32_t v) {
  return sep(sb) < 0 ? -1 : sb_printf(sb, "%lu", (unsigned long)v);
}

static int get_u8(dns_cur *c, strbuf *sb) {
  uint8_t v;
  return dns_u8(c, &v) < 0 ? -1 : put_num(sb, v);
}

static int get_u16(dns_cur *c, strbuf *sb) {
  uint16_t v;
  return dns_u16(c, &v) < 0 ? -1 : put_num(sb, v);
}

static int get_u32(dns_cur *c, strbuf *sb) {
  uint32_t v;
  return dns_u32(c, &v) < 0 ? -1 : put_num(sb, v);
}

/* A name token; in RDATA the root must still be visible, so it is ".". */
static int get_name(dns_cur *c, strbuf *sb, strbuf *field) {
  char name[DNS_NAME_TEXT_MAX];
  if (dns_name(c, name) < 0 || sep(sb) < 0 ||
      sb_puts(sb, name[0] ? name : ".") < 0)
    return -1;
  return field ? sb_puts(field, name) : 0;
}

static int get_charstr(dns_cur *c, const uint8_t **p, uint8_t *n) {
  return dns_u8(c, n) < 0 ? -1 : dns_bytes(c, *n, p);
}

static int get_quoted(dns_cur *c, strbuf *sb) {
  const uint8_t *p;
  uint8_t n;
  if (get_charstr(c, &p, &n) < 0 || sep(sb) < 0)
    return -1;
  return dns_put_quoted(sb, p, n);
}

/* The rest of the RDATA as hex or base64 ("-" never: empty stays empty). */
static int get_rest(dns_cur *c, strbuf *sb, bool b64) {
  const uint8_t *p;
  size_t n = c->end - c->off;
  if (dns_bytes(c, n, &p) < 0 || n == 0)
    return n == 0 ? 0 : -1;
  if (sep(sb) < 0)
    return -1;
  return b64 ? dns_put_base64(sb, p, n) : dns_put_hex(sb, p, n);
}

static int rd_addr(dns_cur *c, uint16_t type, rd_out *o) {
  char text[INET6_ADDRSTRLEN];
  const uint8_t *p;
  size_t n = type == DNS_T_A ? 4 : 16;
  if (dns_bytes(c, n, &p) < 0 ||
      !inet_ntop(type == DNS_T_A ? AF_INET : AF_INET6, p, text, sizeof text))
    return -1;
  *o->key = "ip";
  return sb_puts(o->rdata, text) < 0 ? -1 : sb_puts(o->field, text);
}

static int rd_name(dns_cur *c, uint16_t type, rd_out *o) {
  *o->key = type == DNS_T_NS      ? "ns"
            : type == DNS_T_CNAME ? "cname"
            : type == DNS_T_PTR   ? "ptr"
                                  : NULL;
  return get_name(c, o->rdata, *o->key ? o->field : NULL);
}

static int rd_soa(dns_cur *c, uint16_t type, rd_out *o) {
  (void)type;
  *o->key = "soa"; /* Kubeshark showed the mailbox (RNAME) */
  if (get_name(c, o->rdata, NULL) < 0 || get_name(c, o->rdata, o->field) < 0)
    return -1;
  for (int i = 0; i < 5; i++)
    if (get_u32(c, o->rdata) < 0)
      return -1;
  return 0;
}

/* MX, AFSDB, RT, KX: preference and a name. */
static int rd_pref_name(dns_cur *c, uint16_t type, rd_out *o) {
  *o->key = type == DNS_T_MX ? "mx" : NULL;
  if (get_u16(c, o->rdata) < 0)
    return -1;
  return get_name(c, o->rdata, *o->key ? o->field : NULL);
}

static int rd_txt(dns_cur *c, uint16_t type, rd_out *o) {
  *o->key = type == DNS_T_TXT ? "txts" : NULL;
  while (c->off < c->end) {
    const uint8_t *p;
    uint8_t n;
    if (get_charstr(c, &p, &n) < 0 || sep(o->rdata) < 0 ||
        dns_put_quoted(o->rdata, p, n) < 0)
      return -1;
    if (*o->key && ((o->field->len && sb_puts(o->field, ", ") < 0) ||
                    dns_put_utf8(o->field, p, n) < 0))
      return -1;
  }
  return 0;
}

/* HINFO: two character-strings. */
static int rd_two_strings(dns_cur *c, uint16_t type, rd_out *o) {
  (void)type;
  return get_quoted(c, o->rdata) < 0 ? -1 : get_quoted(c, o->rdata);
}

/* MINFO, RP: two names. */
static int rd_two_names(dns_cur *c, uint16_t type, rd_out *o) {
  (void)type;
  if (get_name(c, o->rdata, NULL) < 0)
    return -1;
  return get_name(c, o->rdata, NULL);
}

static int rd_srv(dns_cur *c, uint16_t type, rd_out *o) {
  (void)type;
  *o->key = "srv";
  for (int i = 0; i < 3; i++)
    if (get_u16(c, o->rdata) < 0)
      return -1;
  return get_name(c, o->rdata, o->field);
}

static int rd_naptr(dns_cur *c, uint16_t type, rd_out *o) {
  (void)type;
  if (get_u16(c, o->rdata) < 0 || get_u16(c, o->rdata) < 0)
    return -1;
  for (int i = 0; i < 3; i++)
    if (get_quoted(c, o->rdata) < 0)
      return -1;
  return get_name(c, o->rdata, NULL);
}

static int rd_uri(dns_cur *c, uint16_t type, rd_out *o) {
  const uint8_t *p;
  size_t n;
  (void)type;
  *o->key = "uri";
  if (get_u16(c, o->rdata) < 0 || get_u16(c, o->rdata) < 0)
    return -1;
  n = c->end - c->off;
  if (n == 0 || dns_bytes(c, n, &p) < 0) /* RFC 7553: target not empty */
    return -1;
  if (sep(o->rdata) < 0 || dns_put_quoted(o->rdata, p, n) < 0)
    return -1;
  return dns_put_utf8(o->field, p, n);
}

static int rd_caa(dns_cur *c, uint16_t type, rd_out *o) {
  const uint8_t *tag, *val;
  uint8_t taglen;
  (void)type;
  if (get_u8(c, o->rdata) < 0 || get_charstr(c, &tag, &taglen) < 0 ||
      taglen == 0)
    return -1;
  size_t n = c->end - c->off;
  if (dns_bytes(c, n, &val) < 0 || sep(o->rdata) < 0 ||
      dns_put_escaped(o->rdata, tag, taglen, NULL) < 0 || sep(o->rdata) < 0)
    return -1;
  return dns_put_quoted(o->rdata, val, n);
}

/* DS, CDS, DLV: key tag, algorithm, digest type, digest. */
static int rd_ds(dns_cur *c, uint16_t type, rd_out *o) {
  (void)type;
  if (get_u16(c, o->rdata) < 0 || get_u8(c, o->rdata) < 0 ||
      get_u8(c, o->rdata) < 0)
    return -1;
  return get_rest(c, o->rdata, false);
}

/* SSHFP (2 numbers) and TLSA/SMIMEA (3 numbers) before a hex blob. */
static int rd_fingerprint(dns_cur *c, uint16_t type, rd_out *o) {
  int nums = type == 44 ? 2 : 3;
  for (int i = 0; i < nums; i++)
    if (get_u8(c, o->rdata) < 0)
      return -1;
  return get_rest(c, o->rdata, false);
}

/* DNSKEY, CDNSKEY, KEY: flags, protocol, algorithm, base64 key. */
static int rd_dnskey(dns_cur *c, uint16_t type, rd_out *o) {
  (void)type;
  if (get_u16(c, o->rdata) < 0 || get_u8(c, o->rdata) < 0 ||
      get_u8(c, o->rdata) < 0)
    return -1;
  return get_rest(c, o->rdata, true);
}

static int put_type(strbuf *sb, uint16_t type) {
  char buf[16];
  return sep(sb) < 0 ? -1 : sb_puts(sb, dns_type_str(type, buf));
}

/* RFC 4034 §3.2: signature times as YYYYMMDDHHmmSS in UTC. */
static int get_sigtime(dns_cur *c, strbuf *sb) {
  uint32_t v;
  struct tm tm;
  time_t t;
  if (dns_u32(c, &v) < 0 || sep(sb) < 0)
    return -1;
  t = (time_t)v;
  if (!gmtime_r(&t, &tm))
    return -1;
  return sb_printf(sb, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900,
                   tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static int rd_rrsig(dns_cur *c, uint16_t type, rd_out *o) {
  uint16_t covered;
  (void)type;
  if (dns_u16(c, &covered) < 0 || put_type(o->rdata, covered) < 0 ||
      get_u8(c, o->rdata) < 0 || get_u8(c, o->rdata) < 0 ||
      get_u32(c, o->rdata) < 0 || get_sigtime(c, o->rdata) < 0 ||
      get_sigtime(c, o->rdata) < 0 || get_u16(c, o->rdata) < 0 ||
      get_name(c, o->rdata, NULL) < 0)
    return -1;
  return get_rest(c, o->rdata, true);
}

/* RFC 4034 §4.1.2 type bitmap: windows in increasing order, 1-32 bytes. */
static int get_bitmap(dns_cur *c, strbuf *sb) {
  int last = -1;
  while (c->off < c->end) {
    uint8_t win, n;
    const uint8_t *p;
    if (dns_u8(c, &win) < 0 || dns_u8(c, &n) < 0 || n == 0 || n > 32 ||
        win <= last || dns_bytes(c, n, &p) < 0)
      return -1;
    last = win;
    for (unsigned i = 0; i < n * 8u; i++)
      if (p[i / 8] & (0x80 >> (i % 8)) &&
          put_type(sb, (uint16_t)(win * 256 + i)) < 0)
        return -1;
  }
  return 0;
}

static int rd_nsec(dns_cur *c, uint16_t type, rd_out *o) {
  (void)type;
  return get_name(c, o->rdata, NULL) < 0 ? -1 : get_bitmap(c, o->rdata);
}

/* NSEC3 and NSEC3PARAM start alike; the salt is hex, or "-" if empty. */
static int rd_nsec3(dns_cur *c, uint16_t type, rd_out *o) {
  const uint8_t *p;
  uint8_t n;
  if (get_u8(c, o->rdata) < 0 || get_u8(c, o->rdata) < 0 ||
      get_u16(c, o->rdata) < 0 || get_charstr(c, &p, &n) < 0 ||
      sep(o->rdata) < 0)
    return -1;
  if (n ? dns_put_hex(o->rdata, p, n) < 0 : sb_puts(o->rdata, "-") < 0)
    return -1;
  if (type == 51)
    return 0;
  if (get_charstr(c, &p, &n) < 0 || n == 0 || sep(o->rdata) < 0 ||
      dns_put_base32hex(o->rdata, p, n) < 0)
    return -1;
  return get_bitmap(c, o->rdata);
}

static int rd_svcb(dns_cur *c, uint16_t type, rd_out *o) {
  (void)type;
  if (get_u16(c, o->rdata) < 0 || get_name(c, o->rdata, NULL) < 0)
    return -1;
  return dns_svcb_params(c, o->rdata);
}

/* OPT: option names only; its RDATA stays "" (item-model §8).  A cut
 * option list keeps the names read so far. */
static int rd_opt(dns_cur *c, uint16_t type, rd_out *o) {
  (void)type;
  *o->key = "opt";
  while (c->off < c->end) {
    uint16_t code, n;
    const uint8_t *p;
    char buf[16];
    if (dns_u16(c, &code) < 0 || dns_u16(c, &n) < 0 || dns_bytes(c, n, &p) < 0)
      break;
    if ((o->field->len && sb_puts(o->field, ", ") < 0) ||
        sb_puts(o->field, dns_option_str(code, buf)) < 0)
      return -1;
  }
  c->off = c->end;
  return 0;
}

static rd_fn rd_for(uint16_t type) {
  switch (type) {
  case 1:
  case 28:
    return rd_addr;
  case 2:
  case 3:
  case 4:
  case 5:
  case 7:
  case 8:
  case 9:
  case 12:
  case 39:
    return rd_name;
  case 6:
    return rd_soa;
  case 15:
  case 18:
  case 21:
  case 36:
    return rd_pref_name;
  case 16:
  case 99:
    return rd_txt;
  case 13:
    return rd_two_strings;
  case 14:
  case 17:
    return rd_two_names;
  case 33:
    return rd_srv;
  case 35:
    return rd_naptr;
  case 256:
    return rd_uri;
  case 257:
    return rd_caa;
  case 43:
  case 59:
  case 32769:
    return rd_ds;
  case 44:
  case 52:
  case 53:
    return rd_fingerprint;
  case 25:
  case 48:
  case 60:
    return rd_dnskey;
  case 24:
  case 46:
    return rd_rrsig;
  case 47:
    return rd_nsec;
  case 50:
  case 51:
    return rd_nsec3;
  case 64:
  case 65:
    return rd_svcb;
  case 41:
    return rd_opt;
  default:
    return NULL;
  }
}

static int rd_generic(const uint8_t *p, size_t n, strbuf *rdata) {
  if (sb_printf(rdata, "\\# %zu", n) < 0)
    return -1;
  if (n && (sb_puts(rdata, " ") < 0 || dns_put_hex(rdata, p, n) < 0))
    return -1;
  return 0;
}

int dns_rdata_text(const uint8_t *msg, size_t len, const dns_rr *rr,
                   strbuf *rdata, const char **key, strbuf *field) {
  dns_cur c = {msg, len, rr->rdoff, rr->rdoff + rr->rdlen};
  rd_out o = {rdata, field, key};
  rd_fn fn = rd_for(rr->type);
  *key = NULL;
  if (c.end > len)
    return -1;
  if (fn && fn(&c, rr->type, &o) == 0 && c.off == c.end)
    return 0;
  /* Not this type's shape: show the bytes as an unknown type would. */
  *key = NULL;
  sb_reset(rdata);
  sb_reset(field);
  return rd_generic(msg + rr->rdoff, rr->rdlen, rdata);
}
