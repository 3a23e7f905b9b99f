// clang-format off
// sources: daemon/capture/decode.c daemon/capture/frag.c daemon/capture/addr.c
// libs:
// clang-format on
/* libFuzzer target for the packet decoder.  One input is a whole
 * capture fed to one decoder, so fragment state carries over between
 * packets:
 *   byte 0     link type (index into link_types)
 *   byte 1     limits: bit 0 small caps, bits 1-2 the timeout
 *   records    u16 little-endian length, one control byte, the frame
 * Control byte: bits 0-2 advance the clock by that many 100 ms, bit 3
 * claims 100 more bytes on the wire than captured (a snaplen cut),
 * bit 4 calls decoder_expire after the packet.
 * Seeds: python3 tests/tools/gen_fuzz_seeds_decode.py
 *        tests/fuzz/seeds/fuzz_decode */
#include "config.h"

#include "capture/decode.h"

#include <pcap/dlt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int link_types[] = {DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2,
                                 DLT_NULL,   DLT_LOOP,      DLT_RAW,
                                 DLT_IPV4,   DLT_IPV6,      101};

static volatile uint8_t sink;

/* Reads every byte the decoder says is there, so ASan sees any lie. */
static void touch(const pkt *p) {
  char buf[64];
  for (uint32_t i = 0; i < p->payload_len; i++)
    sink ^= p->payload[i];
  addr_to_text(&p->src, buf, sizeof buf);
  addr_to_text(&p->dst, buf, sizeof buf);
  if (!addr_equal(&p->src, &p->src) || (p->proto != 6 && p->proto != 17))
    abort();
  if (!p->reassembled && (p->payload < p->frame ||
                          p->payload + p->payload_len > p->frame + p->caplen))
    abort();
}

static decoder *make_decoder(uint8_t sel) {
  static const uint32_t timeouts[] = {100, 1000, 30000, 0};
  decode_limits lim = {0};
  if (sel & 1) {
    lim.max_fragments = 2;
    lim.max_fragment_bytes = 4096;
  }
  lim.fragment_timeout_ms = timeouts[(sel >> 1) & 3];
  return decoder_new(&lim);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  int lt = link_types[data[0] % (sizeof link_types / sizeof link_types[0])];
  decoder *d = make_decoder(data[1]);
  if (!d)
    return 0;
  struct timespec ts = {1700000000, 0};
  size_t pos = 2;
  while (pos + 3 <= size) {
    size_t n = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
    uint8_t ctl = data[pos + 2];
    pos += 3;
    if (n > size - pos)
      n = size - pos;
    /* A copy of exactly n bytes, so reads past the frame are caught. */
    uint8_t *frame = malloc(n ? n : 1);
    if (!frame)
      break;
    memcpy(frame, data + pos, n);
    pos += n;
    ts.tv_nsec += (long)(ctl & 7) * 100000000L;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pkt p;
    uint32_t len = (uint32_t)n + (ctl & 8 ? 100 : 0);
    if (decode_packet(d, lt, &ts, frame, (uint32_t)n, len, &p) == DECODE_OK)
      touch(&p);
    free(frame);
    if (ctl & 16)
      decoder_expire(d, &ts);
  }
  const decode_stats *st = decoder_stats(d);
  if (st->frag_done > st->packets)
    abort();
  decoder_free(d);
  return 0;
}
