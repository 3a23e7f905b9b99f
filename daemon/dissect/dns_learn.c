/* Names learned from answers: each A/AAAA record maps its address to
 * the question name when its owner is the question name or a CNAME
 * reached from it, otherwise to its own owner name. */
#include "config.h"

#include <stdlib.h>

#include "dissect/dns.h"
#include "dissect/dns_int.h"

/* Resolvers give up on CNAME chains far shorter than this. */
#define LEARN_MAX_CHAIN 16

typedef struct ans {
  uint64_t owner, target; /* name hashes; target for CNAME only */
  uint16_t type;
  size_t owner_off, rdoff, rdlen;
} ans;

/* FNV-1a of the lower-cased presentation form.  Names compare equal
 * when their hashes do; a forged collision could only mislabel an
 * address in a response the forger wrote anyway. */
static uint64_t name_hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) {
    unsigned char b = (unsigned char)*s;
    if (b >= 'A' && b <= 'Z')
      b = (unsigned char)(b - 'A' + 'a');
    h = (h ^ b) * 1099511628211ull;
  }
  return h;
}

static int read_answers(dns_cur *c, ans *a, unsigned n) {
  dns_rr rr;
  for (unsigned i = 0; i < n; i++) {
    a[i].owner_off = c->off;
    if (dns_rr_read(c, &rr) < 0)
      return -1;
    a[i].owner = name_hash(rr.name);
    a[i].type = rr.type;
    a[i].rdoff = rr.rdoff;
    a[i].rdlen = rr.rdlen;
    a[i].target = 0;
    if (rr.type == DNS_T_CNAME) {
      dns_cur t = {c->msg, c->len, rr.rdoff, rr.rdoff + rr.rdlen};
      if (dns_name(&t, rr.name) < 0) /* a broken CNAME links nothing */
        a[i].type = 0;
      a[i].target = name_hash(rr.name);
    }
  }
  return 0;
}

static bool in_set(const uint64_t *set, size_t n, uint64_t h) {
  for (size_t i = 0; i < n; i++)
    if (set[i] == h)
      return true;
  return false;
}

/* The question name and every name its CNAME chain reaches. */
static size_t chain(const ans *a, unsigned n, uint64_t q, uint64_t *set) {
  size_t count = 1;
  bool grew = true;
  set[0] = q;
  for (int pass = 0; grew && pass < LEARN_MAX_CHAIN; pass++) {
    grew = false;
    for (unsigned i = 0; i < n && count <= LEARN_MAX_CHAIN; i++) {
      if (a[i].type == DNS_T_CNAME && in_set(set, count, a[i].owner) &&
          !in_set(set, count, a[i].target)) {
        set[count++] = a[i].target;
        grew = true;
      }
    }
  }
  return count;
}

static void report(const uint8_t *msg, size_t len, const ans *a,
                   const char *name, dns_learn_fn fn, void *udata) {
  char owner[DNS_NAME_TEXT_MAX];
  if (!name) {
    dns_cur c = {msg, len, a->owner_off, len};
    if (dns_name(&c, owner) < 0)
      return;
    name = owner;
  }
  fn(udata, a->type == DNS_T_A ? 4 : 6, msg + a->rdoff, name);
}

void dns_learn(const uint8_t *msg, size_t len, dns_learn_fn fn, void *udata) {
  dns_header h;
  dns_cur c;
  char qname[DNS_NAME_TEXT_MAX], other[DNS_NAME_TEXT_MAX];
  uint16_t type, klass;
  uint64_t set[LEARN_MAX_CHAIN + 1];
  if (!fn || dns_message_open(msg, len, &h, &c) < 0 || !h.qr ||
      h.qdcount == 0 || h.ancount == 0 ||
      dns_question_read(&c, qname, &type, &klass) < 0)
    return;
  for (unsigned i = 1; i < h.qdcount; i++)
    if (dns_question_read(&c, other, &type, &klass) < 0)
      return;
  ans *a = calloc(h.ancount, sizeof *a);
  if (!a || read_answers(&c, a, h.ancount) < 0) {
    free(a);
    return;
  }
  size_t n = chain(a, h.ancount, name_hash(qname), set);
  for (unsigned i = 0; i < h.ancount; i++) {
    bool v4 = a[i].type == DNS_T_A && a[i].rdlen == 4;
    bool v6 = a[i].type == DNS_T_AAAA && a[i].rdlen == 16;
    if (v4 || v6)
      report(msg, len, &a[i], in_set(set, n, a[i].owner) ? qname : NULL, fn,
             udata);
  }
  free(a);
}
