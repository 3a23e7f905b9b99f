/* Resource records: the fixed part and the §8 record object. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "dissect/dns_int.h"

int dns_rr_read(dns_cur *c, dns_rr *rr) {
  uint16_t rdlen;
  if (dns_name(c, rr->name) < 0 || dns_u16(c, &rr->type) < 0 ||
      dns_u16(c, &rr->klass) < 0 || dns_u32(c, &rr->ttl) < 0 ||
      dns_u16(c, &rdlen) < 0)
    return -1;
  rr->rdoff = c->off;
  rr->rdlen = rdlen;
  const uint8_t *p;
  return dns_bytes(c, rdlen, &p);
}

/* Keys of every record object; the ones that do not apply are "". */
static const char *const field_keys[] = {"ip",  "ns",  "cname", "ptr", "txts",
                                         "soa", "srv", "mx",    "opt", "uri"};

static int set_str(json_t *o, const char *key, const char *s, size_t n) {
  return json_object_set_new(o, key, json_stringn(s, n));
}

/* An OPT record's class field holds the UDP size: always CLASS<n>. */
static const char *class_text(const dns_rr *rr, char buf[16]) {
  if (rr->type != DNS_T_OPT)
    return dns_class_str(rr->klass, buf);
  snprintf(buf, 16, "CLASS%u", rr->klass);
  return buf;
}

static int fill(json_t *o, const dns_rr *rr, const strbuf *rdata,
                const char *key, const strbuf *field) {
  char tb[16], cb[16];
  const char *type = dns_type_str(rr->type, tb), *klass = class_text(rr, cb);
  if (set_str(o, "name", rr->name, strlen(rr->name)) < 0 ||
      set_str(o, "type", type, strlen(type)) < 0 ||
      set_str(o, "class", klass, strlen(klass)) < 0 ||
      json_object_set_new(o, "ttl", json_integer(rr->ttl)) < 0 ||
      set_str(o, "rdata", sb_str(rdata), rdata->len) < 0)
    return -1;
  for (size_t i = 0; i < sizeof field_keys / sizeof field_keys[0]; i++) {
    bool mine = key && strcmp(key, field_keys[i]) == 0;
    if (set_str(o, field_keys[i], mine ? sb_str(field) : "",
                mine ? field->len : 0) < 0)
      return -1;
  }
  return 0;
}

json_t *dns_rr_json(const uint8_t *msg, size_t len, const dns_rr *rr) {
  strbuf rdata = STRBUF_INIT, field = STRBUF_INIT;
  const char *key = NULL;
  json_t *o = json_object();
  if (!o || dns_rdata_text(msg, len, rr, &rdata, &key, &field) < 0 ||
      fill(o, rr, &rdata, key, &field) < 0) {
    json_decref(o);
    o = NULL;
  }
  sb_free(&rdata);
  sb_free(&field);
  return o;
}
