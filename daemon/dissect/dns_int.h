/* Internals of the DNS dissector shared by its files: bounded readers
 * over a message, name decompression, mnemonics and text encoders. */
#ifndef WH_DNS_INT_H
#define WH_DNS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

typedef struct json_t json_t;

/* A name is at most 255 wire bytes, so at most 63*4 text bytes per label
 * plus dots: 1024 always holds the presentation form and its NUL. */
#define DNS_NAME_TEXT_MAX 1024
#define DNS_HEADER_LEN 12

enum {
  DNS_T_A = 1,
  DNS_T_NS = 2,
  DNS_T_CNAME = 5,
  DNS_T_SOA = 6,
  DNS_T_PTR = 12,
  DNS_T_MX = 15,
  DNS_T_TXT = 16,
  DNS_T_AAAA = 28,
  DNS_T_SRV = 33,
  DNS_T_OPT = 41
};

/* A read cursor: [off, end) of msg[0, len).  Names may point anywhere
 * before their own position inside msg, so the message stays visible. */
typedef struct dns_cur {
  const uint8_t *msg;
  size_t len, off, end;
} dns_cur;

int dns_u8(dns_cur *c, uint8_t *v);
int dns_u16(dns_cur *c, uint16_t *v);
int dns_u32(dns_cur *c, uint32_t *v);
/* Points *p at the next n bytes and skips them. */
int dns_bytes(dns_cur *c, size_t n, const uint8_t **p);

/* Reads the name at c->off into out (presentation form, root ""),
 * leaving c->off after the name's bytes at that position.  -1 when the
 * name is malformed or its bytes run past c->end. */
int dns_name(dns_cur *c, char out[DNS_NAME_TEXT_MAX]);

/* Header and a cursor after it; -1 if the counts cannot fit in len. */
typedef struct dns_header dns_header;
int dns_message_open(const uint8_t *msg, size_t len, dns_header *h, dns_cur *c);
/* What dns_probe asks of a header, for a message of len bytes: one to
 * 16 questions, a known opcode, counts that can fit. */
bool dns_header_sane(const dns_header *h, size_t len);
int dns_question_read(dns_cur *c, char name[DNS_NAME_TEXT_MAX], uint16_t *type,
                      uint16_t *klass);

/* One resource record: owner, fixed fields, and where its RDATA is. */
typedef struct dns_rr {
  char name[DNS_NAME_TEXT_MAX];
  uint16_t type, klass;
  uint32_t ttl;
  size_t rdoff, rdlen;
} dns_rr;

int dns_rr_read(dns_cur *c, dns_rr *rr);
/* The §8 record object; NULL only when memory runs out. */
json_t *dns_rr_json(const uint8_t *msg, size_t len, const dns_rr *rr);

/* RDATA in presentation form.  field gets the value of the one
 * type-specific key (*key, NULL if none).  -1: RDATA does not parse. */
int dns_rdata_text(const uint8_t *msg, size_t len, const dns_rr *rr,
                   strbuf *rdata, const char **key, strbuf *field);
/* SVCB/HTTPS parameters after the target (dns_svcb.c). */
int dns_svcb_params(dns_cur *c, strbuf *out);

/* Mnemonics (item-model §8); buf is used for the numeric fallbacks. */
const char *dns_type_str(uint16_t type, char buf[16]);
const char *dns_class_str(uint16_t klass, char buf[16]);
const char *dns_opcode_str(uint8_t opcode, char buf[16]);
const char *dns_rcode_str(uint8_t rcode, char buf[16]);
const char *dns_option_str(uint16_t code, char buf[16]);

/* Encoders appending to out; each returns 0 or -1 (no memory). */
int dns_put_hex(strbuf *out, const uint8_t *p, size_t n);
int dns_put_base64(strbuf *out, const uint8_t *p, size_t n);
int dns_put_base32hex(strbuf *out, const uint8_t *p, size_t n);
/* A quoted character-string with zone-file escapes ("\"", "\\", \DDD). */
int dns_put_quoted(strbuf *out, const uint8_t *p, size_t n);
/* The same escapes without quotes; extra lists more bytes to escape. */
int dns_put_escaped(strbuf *out, const uint8_t *p, size_t n, const char *extra);
/* Raw bytes as UTF-8, invalid sequences replaced by U+FFFD. */
int dns_put_utf8(strbuf *out, const uint8_t *p, size_t n);

/* ASCII case-insensitive equality of two presentation names. */
bool dns_name_eq(const char *a, const char *b);

#endif
