/* IPv4/IPv6 fragment reassembly (internal to the decoder).  Datagrams are
 * keyed by (family, src, dst, id, proto); IPv6 keys use proto 0 because
 * RFC 8200 lets the next-header value differ between fragments and only
 * the offset-0 fragment's value counts. */
#ifndef WH_FRAG_H
#define WH_FRAG_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "capture/decode.h"

typedef struct frag_table frag_table;

/* One fragment as the IP layer saw it. */
typedef struct frag_in {
  const wh_addr *src, *dst;
  uint32_t id;
  uint8_t proto; /* IPv4: protocol; IPv6: next header after the
                    fragment header */
  bool v6;
  bool more;       /* MF */
  uint32_t offset; /* in bytes */
  const uint8_t *data;
  uint32_t len;
  uint32_t hdr_len; /* IP header bytes in front of the fragmentable part,
                       to enforce the 65535-byte datagram limit */
} frag_in;

enum {
  FRAG_HELD = 0, /* kept (or an identical duplicate): wait for more */
  FRAG_DONE = 1, /* the datagram is complete: see the out parameters */
  FRAG_BAD = 2,  /* malformed or conflicting: dropped and counted */
  FRAG_CAP = 3   /* refused by a cap: dropped and counted */
};

/* stats is the decoder's; the table bumps the frag_* counters in it.
 * Zero fields of lim mean the defaults. */
frag_table *frag_new(const decode_limits *lim, decode_stats *stats);
void frag_free(frag_table *t);

/* On FRAG_DONE, *out and *out_len are the reassembled fragmentable part
 * (valid until the next frag_add) and *proto its protocol / next
 * header. */
int frag_add(frag_table *t, const frag_in *f, const struct timespec *ts,
             const uint8_t **out, uint32_t *out_len, uint8_t *proto);

void frag_expire(frag_table *t, const struct timespec *now);

/* Datagrams (including dropped ones remembered until their timeout) and
 * bytes held now: for tests. */
uint32_t frag_count(const frag_table *t);
uint64_t frag_bytes(const frag_table *t);

#endif
