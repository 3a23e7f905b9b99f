/* libFuzzer target for the DNS dissector: the input as one message
 * (probe, request and response objects, name learning), as UDP
 * datagrams, and as the bytes of a TCP stream in both directions with
 * a gap in the middle.
 * sources and libs for tests/fuzz/run.sh:
// clang-format off
// sources: daemon/dissect/dns.c daemon/dissect/dns_name.c daemon/dissect/dns_mnemonic.c daemon/dissect/dns_text.c daemon/dissect/dns_rdata.c daemon/dissect/dns_svcb.c daemon/dissect/dns_rr.c daemon/dissect/dns_json.c daemon/dissect/dns_learn.c daemon/dissect/dns_conn.c daemon/strbuf.c
// libs: -ljansson
// clang-format on
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Serialising checks that every string is valid UTF-8 (jansson refuses
 * to build one that is not, so a NULL here would be a lost field). */
static void consume(json_t *j) {
  char *s = json_dumps(j, JSON_COMPACT);
  if (j && !s)
    abort();
  free(s);
  json_decref(j);
}

static void on_emit(void *udata, dns_exchange *x) {
  (void)udata;
  if (!x->request || !x->response)
    abort();
  consume(x->request);
  consume(x->response);
}

static void on_learn(void *udata, int family, const uint8_t *addr,
                     const char *name) {
  size_t *sum = udata;
  *sum += strlen(name) + addr[0] + addr[family == 4 ? 3 : 15];
}

static void as_stream(const uint8_t *data, size_t size) {
  dns_stats st = {0};
  struct timespec t0 = {1, 0}, t1 = {20, 0};
  dns_conn *c = dns_new(true, 4, on_emit, NULL, &st);
  size_t half = size / 2;
  dns_feed(c, 0, data, half, false, &t0);
  dns_feed(c, 0, data + half, size - half, size & 1, &t0);
  dns_feed(c, 1, data, size, false, &t0);
  dns_expire(c, &t1, 5000);
  dns_feed(c, 0, data, size, true, &t1);
  dns_close(c, &t1);
  dns_feed(c, 1, data, size, false, &t1);
  dns_free(c);
}

static void as_datagrams(const uint8_t *data, size_t size) {
  dns_stats st = {0};
  struct timespec t0 = {1, 0};
  dns_conn *c = dns_new(false, 2, on_emit, NULL, &st);
  dns_feed(c, 0, data, size, false, &t0);
  dns_feed(c, 1, data, size, false, &t0);
  if (size > 2) /* the same id, but answered from the other side */
    dns_feed(c, 0, data, size, false, &t0);
  dns_close(c, &t0);
  dns_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t sum = 0;
  dns_header h;
  (void)dns_parse_header(data, size, &h);
  (void)dns_probe(data, size);
  consume(dns_request_json(data, size));
  consume(dns_response_json(data, size));
  dns_learn(data, size, on_learn, &sum);
  as_datagrams(data, size);
  as_stream(data, size);
  return 0;
}
