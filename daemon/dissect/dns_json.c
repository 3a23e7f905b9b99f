/* The `request` and `response` objects of item-model.md §8.  A message
 * whose sections do not parse to the end of their counts is malformed
 * (NULL); bytes after the last section are ignored. */
#include "config.h"

#include <jansson.h>

#include "dissect/dns.h"
#include "dissect/dns_int.h"

static json_t *question_json(dns_cur *c) {
  char name[DNS_NAME_TEXT_MAX], tb[16], cb[16];
  uint16_t type, klass;
  if (dns_question_read(c, name, &type, &klass) < 0)
    return NULL;
  return json_pack("{s:s, s:s, s:s}", "name", name, "type",
                   dns_type_str(type, tb), "class", dns_class_str(klass, cb));
}

json_t *dns_request_json(const uint8_t *msg, size_t len) {
  dns_header h;
  dns_cur c;
  char ob[16];
  if (dns_message_open(msg, len, &h, &c) < 0)
    return NULL;
  json_t *qs = json_array();
  if (!qs)
    return NULL;
  for (unsigned i = 0; i < h.qdcount; i++)
    if (json_array_append_new(qs, question_json(&c)) < 0) {
      json_decref(qs);
      return NULL;
    }
  return json_pack("{s:s, s:o}", "opCode", dns_opcode_str(h.opcode, ob),
                   "questions", qs);
}

static int skip_questions(dns_cur *c, unsigned n) {
  char name[DNS_NAME_TEXT_MAX];
  uint16_t type, klass;
  for (unsigned i = 0; i < n; i++)
    if (dns_question_read(c, name, &type, &klass) < 0)
      return -1;
  return 0;
}

static json_t *section_json(dns_cur *c, unsigned n) {
  json_t *a = json_array();
  dns_rr rr;
  for (unsigned i = 0; a && i < n; i++) {
    if (dns_rr_read(c, &rr) < 0 ||
        json_array_append_new(a, dns_rr_json(c->msg, c->len, &rr)) < 0) {
      json_decref(a);
      a = NULL;
    }
  }
  return a;
}

json_t *dns_response_json(const uint8_t *msg, size_t len) {
  dns_header h;
  dns_cur c;
  char rb[16];
  if (dns_message_open(msg, len, &h, &c) < 0 ||
      skip_questions(&c, h.qdcount) < 0)
    return NULL;
  json_t *an = section_json(&c, h.ancount);
  json_t *ns = an ? section_json(&c, h.nscount) : NULL;
  json_t *ar = ns ? section_json(&c, h.arcount) : NULL;
  if (!ar) {
    json_decref(an);
    json_decref(ns);
    return NULL;
  }
  return json_pack("{s:s, s:o, s:o, s:o}", "code", dns_rcode_str(h.rcode, rb),
                   "answers", an, "authorities", ns, "additionals", ar);
}
