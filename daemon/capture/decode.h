/* Link layers, IPv4/IPv6 (with fragment reassembly) and TCP/UDP headers.
 * Every read is bounded by caplen; malformed input is counted, never
 * trusted. */
#ifndef WH_DECODE_H
#define WH_DECODE_H

#include <pcap/dlt.h>
#include <stdint.h>

#include "capture/packet.h"

/* Older <pcap/dlt.h> lack these; the values are the registered ones. */
#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

typedef struct decode_limits {
  uint32_t
      max_fragments; /* datagrams being reassembled at once (default 1024) */
  uint32_t max_fragment_bytes;  /* bytes held in all of them (default 16 MiB) */
  uint32_t fragment_timeout_ms; /* default 30000 */
} decode_limits;

/* Why a packet was not handed on; each has a counter. */
typedef struct decode_stats {
  uint64_t packets;
  uint64_t bad_link;     /* link header cut or malformed */
  uint64_t unknown_link; /* link type or ethertype not handled */
  uint64_t bad_ip;       /* IPv4/IPv6 header malformed, bad lengths */
  uint64_t bad_l4;       /* TCP/UDP header malformed */
  uint64_t other_l4;     /* neither TCP nor UDP (ICMP, ...) */
  uint64_t frag_held;    /* fragments kept for reassembly */
  uint64_t frag_done;    /* datagrams reassembled */
  uint64_t frag_dropped; /* fragments dropped: caps, overlaps, bad offsets */
  uint64_t frag_expired; /* datagrams dropped by the timeout */
} decode_stats;

typedef struct decoder decoder;

enum {
  DECODE_OK = 0,   /* out is filled */
  DECODE_HELD = 1, /* an IP fragment kept for reassembly */
  DECODE_SKIP = 2, /* not IP, or not TCP/UDP: counted */
  DECODE_BAD = 3   /* malformed: counted */
};

/* limits may be NULL for the defaults; a zero field also means its
 * default. */
decoder *decoder_new(const decode_limits *limits);
void decoder_free(decoder *d);

/* Decodes one frame of link type `linktype` (DLT_EN10MB with 802.1Q/QinQ,
 * DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP, DLT_RAW, DLT_IPV4,
 * DLT_IPV6).  Returns one of DECODE_*.  When the last fragment of a
 * datagram arrives the call returns DECODE_OK for the whole datagram.
 * A fragment refused by a cap, or cut by the snaplen, gives DECODE_SKIP;
 * a malformed or conflicting one DECODE_BAD (both count frag_dropped).
 * An IPv4/IPv6 length field of 0 (TSO, BIG TCP) means "the rest of the
 * frame"; IPv6 jumbograms are DECODE_BAD (bad_ip). */
int decode_packet(decoder *d, int linktype, const struct timespec *ts,
                  const uint8_t *frame, uint32_t caplen, uint32_t len,
                  pkt *out);

/* Drops fragment state older than the timeout (call now and then with
 * the capture clock). */
void decoder_expire(decoder *d, const struct timespec *now);

const decode_stats *decoder_stats(const decoder *d);

#endif
