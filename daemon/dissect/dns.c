/* DNS message entry points: the header, the probe, and the question
 * section shared by the request object and name learning. */
#include "config.h"

#include "dissect/dns.h"
#include "dissect/dns_int.h"

bool dns_parse_header(const uint8_t *msg, size_t len, dns_header *h) {
  if (!msg || len < DNS_HEADER_LEN)
    return false;
  h->id = (uint16_t)(msg[0] << 8 | msg[1]);
  h->qr = msg[2] >> 7;
  h->opcode = (msg[2] >> 3) & 15;
  h->rcode = msg[3] & 15;
  h->qdcount = (uint16_t)(msg[4] << 8 | msg[5]);
  h->ancount = (uint16_t)(msg[6] << 8 | msg[7]);
  h->nscount = (uint16_t)(msg[8] << 8 | msg[9]);
  h->arcount = (uint16_t)(msg[10] << 8 | msg[11]);
  return true;
}

/* A question is at least 5 bytes and a record at least 11, so counts
 * that could not fit in len are not DNS (or are cut). */
static bool counts_fit(const dns_header *h, size_t len) {
  uint64_t need = (uint64_t)h->qdcount * 5 +
                  ((uint64_t)h->ancount + h->nscount + h->arcount) * 11;
  return need <= len - DNS_HEADER_LEN;
}

bool dns_header_sane(const dns_header *h, size_t len) {
  return len >= DNS_HEADER_LEN && h->qdcount > 0 && h->qdcount <= 16 &&
         h->opcode != 3 && h->opcode <= 6 && counts_fit(h, len);
}

int dns_question_read(dns_cur *c, char name[DNS_NAME_TEXT_MAX], uint16_t *type,
                      uint16_t *klass) {
  if (dns_name(c, name) < 0 || dns_u16(c, type) < 0)
    return -1;
  return dns_u16(c, klass);
}

bool dns_probe(const uint8_t *msg, size_t len) {
  dns_header h;
  char name[DNS_NAME_TEXT_MAX];
  uint16_t type, klass;
  if (!dns_parse_header(msg, len, &h) || !dns_header_sane(&h, len))
    return false;
  dns_cur c = {msg, len, DNS_HEADER_LEN, len};
  return dns_question_read(&c, name, &type, &klass) == 0 && klass != 0;
}

int dns_message_open(const uint8_t *msg, size_t len, dns_header *h,
                     dns_cur *c) {
  if (!dns_parse_header(msg, len, h) || !counts_fit(h, len))
    return -1;
  *c = (dns_cur){msg, len, DNS_HEADER_LEN, len};
  return 0;
}
