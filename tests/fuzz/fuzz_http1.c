/* libFuzzer target of the HTTP/1.x dissector: the input is one TCP
 * connection cut into records, both directions interleaved, with gaps
 * and timeouts, then closed.  Every exchange must dump to JSON.
 *
 * Layout: 3 bytes of limits (max_body, max_header_bytes, max_pending),
 * then records [ctrl][len][len bytes]: ctrl bit 0 is the direction,
 * (ctrl & 6) == 6 marks a gap before the bytes, (ctrl & 0x18) == 0x18
 * runs http1_expire first, ctrl >> 5 advances the clock in seconds. */
// clang-format off
// sources: daemon/dissect/http1.c daemon/dissect/http1_parse.c daemon/dissect/http1_body.c daemon/dissect/http1_decode.c daemon/dissect/http1_json.c daemon/dissect/http1_form.c daemon/dissect/http1_text.c daemon/dissect/http1_status.c
// libs: -ljansson -lz
// clang-format on
#include "config.h"

#include "dissect/http1.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void dump_or_die(const json_t *j) {
  char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
  if (!s)
    abort(); /* an object with a NULL member or invalid UTF-8 */
  free(s);
}

static void on_emit(void *udata, http1_exchange *x) {
  (void)udata;
  if (!x->request || !x->response || !x->version)
    abort();
  if (!x->error_type != !x->error_msg)
    abort();
  dump_or_die(x->request);
  dump_or_die(x->response);
  json_decref(x->request);
  json_decref(x->response);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3)
    return 0;
  http1_limits lim = {(size_t)16 << (data[0] % 13),
                      (size_t)64 << (data[1] % 11), 1u + data[2] % 8};
  http1_stats st;
  memset(&st, 0, sizeof st);
  http1_conn *c = http1_new(&lim, on_emit, NULL, &st);
  if (!c)
    return 0;
  struct timespec ts = {1000, 0};
  size_t i = 3;
  while (i + 2 <= size) {
    uint8_t ctrl = data[i];
    size_t n = data[i + 1];
    i += 2;
    if (n > size - i)
      n = size - i;
    ts.tv_sec += ctrl >> 5;
    if ((ctrl & 0x18) == 0x18)
      http1_expire(c, &ts, 2000);
    http1_feed(c, ctrl & 1, data + i, n, (ctrl & 6) == 6, &ts);
    i += n;
  }
  http1_close(c, &ts);
  http1_free(c);
  return 0;
}
