/* Link layer -> IPv4/IPv6 -> TCP/UDP.  Every layer works on a span that
 * knows both the captured and the on-the-wire length, so a header cut by
 * the snaplen is told apart from a header that lies about its length,
 * and nothing is read beyond the captured bytes. */
#include "config.h"

#include "capture/decode.h"
#include "capture/frag.h"

#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#define LINKTYPE_RAW 101 /* what a file says; pcap maps it to DLT_RAW */

enum { ETH_IPV4 = 0x0800, ETH_IPV6 = 0x86dd };
enum { IPP_TCP = 6, IPP_UDP = 17 };

struct decoder {
  decode_stats st;
  frag_table *frags;
};

/* Bytes from p: `cap` of them were captured, `wire` were sent
 * (wire >= cap always). */
typedef struct span {
  const uint8_t *p;
  uint32_t cap, wire;
} span;

static uint16_t be16(const uint8_t *p) {
  return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         p[3];
}

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 |
         p[0];
}

/* Callers check n <= s->cap first. */
static void span_skip(span *s, uint32_t n) {
  s->p += n;
  s->cap -= n;
  s->wire -= n;
}

/* Ends the span after n bytes (n <= s->wire): trailing link padding
 * and whatever follows a length field are not ours. */
static void span_limit(span *s, uint32_t n) {
  s->wire = n;
  if (s->cap > n)
    s->cap = n;
}

static int count(uint64_t *counter, int rc) {
  (*counter)++;
  return rc;
}

/* ---- transport ---- */

static int set_payload(pkt *out, const span *s) {
  out->payload = s->p;
  out->payload_len = s->cap;
  out->truncated = s->cap < s->wire;
  return DECODE_OK;
}

static int tcp(decoder *d, span *s, pkt *out) {
  if (s->cap < 20)
    return count(&d->st.bad_l4, DECODE_BAD);
  uint32_t doff = (uint32_t)(s->p[12] >> 4) * 4;
  if (doff < 20 || doff > s->cap)
    return count(&d->st.bad_l4, DECODE_BAD);
  out->sport = be16(s->p);
  out->dport = be16(s->p + 2);
  out->seq = be32(s->p + 4);
  out->ack = be32(s->p + 8);
  out->tcp_flags = s->p[13];
  span_skip(s, doff);
  return set_payload(out, s);
}

static int udp(decoder *d, span *s, pkt *out) {
  if (s->cap < 8)
    return count(&d->st.bad_l4, DECODE_BAD);
  uint32_t ulen = be16(s->p + 4);
  if (ulen < 8 || ulen > s->wire)
    return count(&d->st.bad_l4, DECODE_BAD);
  out->sport = be16(s->p);
  out->dport = be16(s->p + 2);
  span_limit(s, ulen);
  span_skip(s, 8);
  return set_payload(out, s);
}

static int transport(decoder *d, uint8_t proto, span *s, pkt *out) {
  out->proto = proto;
  if (proto == IPP_TCP)
    return tcp(d, s, out);
  if (proto == IPP_UDP)
    return udp(d, s, out);
  return count(&d->st.other_l4, DECODE_SKIP);
}

/* ---- IP ---- */

static int ipv6_chain(decoder *d, uint8_t nh, span *s,
                      const struct timespec *ts, pkt *out, bool outer);

static void set_addr(wh_addr *a, uint8_t family, const uint8_t *p) {
  memset(a, 0, sizeof *a);
  a->family = family;
  memcpy(a->bytes, p, family == 4 ? 4 : 16);
}

static int fragment(decoder *d, const frag_in *f, const struct timespec *ts,
                    pkt *out) {
  const uint8_t *buf = NULL;
  uint32_t n = 0;
  uint8_t proto = 0;
  switch (frag_add(d->frags, f, ts, &buf, &n, &proto)) {
  case FRAG_HELD:
    return DECODE_HELD;
  case FRAG_BAD:
    return DECODE_BAD;
  case FRAG_CAP:
    return DECODE_SKIP;
  default:
    break;
  }
  out->reassembled = true;
  span r = {buf, n, n};
  return f->v6 ? ipv6_chain(d, proto, &r, ts, out, false)
               : transport(d, proto, &r, out);
}

static int ipv4_fragment(decoder *d, const span *hdr, uint32_t ihl,
                         const span *l4, const struct timespec *ts, pkt *out) {
  uint8_t proto = hdr->p[9];
  uint16_t fl = be16(hdr->p + 6);
  /* Only TCP/UDP are handed on, so other protocols are not held. */
  if (proto != IPP_TCP && proto != IPP_UDP)
    return count(&d->st.other_l4, DECODE_SKIP);
  /* A fragment cut by the snaplen would leave a hole for ever. */
  if (l4->cap < l4->wire)
    return count(&d->st.frag_dropped, DECODE_SKIP);
  frag_in f = {.src = &out->src,
               .dst = &out->dst,
               .id = be16(hdr->p + 4),
               .proto = proto,
               .more = (fl & 0x2000) != 0,
               .offset = (uint32_t)(fl & 0x1fff) * 8,
               .data = l4->p,
               .len = l4->cap,
               .hdr_len = ihl};
  return fragment(d, &f, ts, out);
}

/* The header checksum is not checked: offloading leaves it unset on
 * captured outgoing packets. */
static int ipv4(decoder *d, span *s, const struct timespec *ts, pkt *out) {
  if (s->cap < 20 || s->p[0] >> 4 != 4)
    return count(&d->st.bad_ip, DECODE_BAD);
  uint32_t ihl = (uint32_t)(s->p[0] & 15) * 4;
  uint32_t tot = be16(s->p + 2);
  if (tot == 0) /* TSO / BIG TCP: the length is the frame's */
    tot = s->wire;
  if (ihl < 20 || ihl > s->cap || tot < ihl || tot > s->wire)
    return count(&d->st.bad_ip, DECODE_BAD);
  set_addr(&out->src, 4, s->p + 12);
  set_addr(&out->dst, 4, s->p + 16);
  span_limit(s, tot);
  span l4 = *s;
  span_skip(&l4, ihl);
  if (be16(s->p + 6) & 0x3fff) /* MF or an offset */
    return ipv4_fragment(d, s, ihl, &l4, ts, out);
  return transport(d, s->p[9], &l4, out);
}

static int ipv6_fragment(decoder *d, span *s, uint32_t hdr_len,
                         const struct timespec *ts, pkt *out) {
  uint16_t ofs = be16(s->p + 2);
  frag_in f = {.src = &out->src,
               .dst = &out->dst,
               .id = be32(s->p + 4),
               .proto = s->p[0],
               .v6 = true,
               .more = (ofs & 1) != 0,
               .offset = ofs & 0xfff8u,
               .hdr_len = hdr_len + 8};
  span_skip(s, 8);
  if (s->cap < s->wire)
    return count(&d->st.frag_dropped, DECODE_SKIP);
  f.data = s->p;
  f.len = s->cap;
  return fragment(d, &f, ts, out);
}

static bool is_ext(uint8_t nh) {
  switch (nh) {
  case 0:   /* hop-by-hop */
  case 43:  /* routing */
  case 51:  /* AH */
  case 60:  /* destination options */
  case 135: /* mobility */
  case 139: /* HIP */
  case 140: /* shim6 */
    return true;
  default:
    return false;
  }
}

/* AH counts 4-byte units minus 2, the others 8-byte units minus 1. */
static uint32_t ext_len(uint8_t nh, const uint8_t *p) {
  return nh == 51 ? ((uint32_t)p[1] + 2) * 4 : ((uint32_t)p[1] + 1) * 8;
}

/* Walks extension headers up to TCP/UDP.  ESP, no-next-header and
 * anything unknown end the walk (other_l4).  `outer` is false inside a
 * reassembled datagram, where a real fragment header is malformed. */
static int ipv6_chain(decoder *d, uint8_t nh, span *s,
                      const struct timespec *ts, pkt *out, bool outer) {
  uint32_t hdr_len = 0; /* extension bytes before the fragmentable part */
  for (;;) {
    if (nh == IPP_TCP || nh == IPP_UDP)
      return transport(d, nh, s, out);
    if (nh == 44) { /* fragment */
      if (s->cap < 8)
        return count(&d->st.bad_ip, DECODE_BAD);
      if (be16(s->p + 2) & 0xfff9) { /* an offset or M: a real fragment */
        if (!outer)
          return count(&d->st.bad_ip, DECODE_BAD);
        return ipv6_fragment(d, s, hdr_len, ts, out);
      }
      nh = s->p[0]; /* atomic fragment (RFC 6946) */
      span_skip(s, 8);
      hdr_len += 8;
      continue;
    }
    if (!is_ext(nh))
      return count(&d->st.other_l4, DECODE_SKIP);
    uint32_t hl = s->cap < 2 ? UINT32_MAX : ext_len(nh, s->p);
    if (hl > s->cap)
      return count(&d->st.bad_ip, DECODE_BAD);
    nh = s->p[0];
    span_skip(s, hl);
    hdr_len += hl;
  }
}

static int ipv6(decoder *d, span *s, const struct timespec *ts, pkt *out) {
  if (s->cap < 40 || s->p[0] >> 4 != 6)
    return count(&d->st.bad_ip, DECODE_BAD);
  uint32_t plen = be16(s->p + 4);
  uint8_t nh = s->p[6];
  if (plen == 0) {
    if (nh == 0) /* a jumbogram (RFC 2675): not supported */
      return count(&d->st.bad_ip, DECODE_BAD);
    plen = s->wire - 40; /* TSO / BIG TCP: the length is the frame's */
  }
  if (plen > s->wire - 40)
    return count(&d->st.bad_ip, DECODE_BAD);
  set_addr(&out->src, 6, s->p + 8);
  set_addr(&out->dst, 6, s->p + 24);
  span_limit(s, 40 + plen);
  span_skip(s, 40);
  return ipv6_chain(d, nh, s, ts, out, true);
}

/* ---- link layers: each returns 4 or 6, or minus a DECODE_* code ---- */

static int by_ethertype(decoder *d, span *s, uint16_t type) {
  while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
    if (s->cap < 4)
      return -count(&d->st.bad_link, DECODE_BAD);
    type = be16(s->p + 2);
    span_skip(s, 4);
  }
  if (type == ETH_IPV4)
    return 4;
  if (type == ETH_IPV6)
    return 6;
  return -count(&d->st.unknown_link, DECODE_SKIP);
}

static int link_fixed(decoder *d, span *s, uint32_t hlen, uint32_t type_at) {
  if (s->cap < hlen)
    return -count(&d->st.bad_link, DECODE_BAD);
  uint16_t type = be16(s->p + type_at);
  span_skip(s, hlen);
  return by_ethertype(d, s, type);
}

static bool af_inet6(uint32_t af) {
  return af == 10 || af == 24 || af == 28 || af == 30;
}

/* DLT_NULL is in the capturing host's byte order and DLT_LOOP in network
 * order; files travel, so both orders are accepted for both. */
static int link_loop(decoder *d, span *s) {
  if (s->cap < 4)
    return -count(&d->st.bad_link, DECODE_BAD);
  uint32_t be = be32(s->p), le = le32(s->p);
  span_skip(s, 4);
  if (be == 2 || le == 2)
    return 4;
  if (af_inet6(be) || af_inet6(le))
    return 6;
  return -count(&d->st.unknown_link, DECODE_SKIP);
}

/* Raw IP: the version nibble decides; want is 0 (either), 4 or 6. */
static int link_raw(decoder *d, const span *s, int want) {
  int v = s->cap ? s->p[0] >> 4 : 0;
  if ((v != 4 && v != 6) || (want && v != want))
    return -count(&d->st.bad_ip, DECODE_BAD);
  return v;
}

static bool is_raw(int lt) {
  return lt == DLT_RAW || lt == 12 || lt == 14 || lt == LINKTYPE_RAW;
}

static int link_layer(decoder *d, int linktype, span *s) {
  if (linktype == DLT_EN10MB)
    return link_fixed(d, s, 14, 12);
  if (linktype == DLT_LINUX_SLL)
    return link_fixed(d, s, 16, 14);
  if (linktype == DLT_LINUX_SLL2)
    return link_fixed(d, s, 20, 0);
  /* Before is_raw: on OpenBSD DLT_LOOP is 12. */
  if (linktype == DLT_NULL || linktype == DLT_LOOP || linktype == 108)
    return link_loop(d, s);
  if (is_raw(linktype))
    return link_raw(d, s, 0);
  if (linktype == DLT_IPV4)
    return link_raw(d, s, 4);
  if (linktype == DLT_IPV6)
    return link_raw(d, s, 6);
  return -count(&d->st.unknown_link, DECODE_SKIP);
}

/* ---- API ---- */

int decode_packet(decoder *d, int linktype, const struct timespec *ts,
                  const uint8_t *frame, uint32_t caplen, uint32_t len,
                  pkt *out) {
  static const struct timespec zero;
  memset(out, 0, sizeof *out);
  if (!ts)
    ts = &zero;
  if (!frame)
    caplen = 0;
  out->ts = *ts;
  out->frame = frame;
  out->caplen = caplen;
  out->len = len;
  out->linktype = linktype;
  d->st.packets++;
  /* A file may claim fewer bytes sent than captured: trust the bytes. */
  span s = {frame, caplen, len < caplen ? caplen : len};
  int v = link_layer(d, linktype, &s);
  if (v < 0)
    return -v;
  return v == 4 ? ipv4(d, &s, ts, out) : ipv6(d, &s, ts, out);
}

decoder *decoder_new(const decode_limits *limits) {
  decoder *d = calloc(1, sizeof *d);
  if (!d)
    return NULL;
  d->frags = frag_new(limits, &d->st);
  if (!d->frags) {
    free(d);
    return NULL;
  }
  return d;
}

void decoder_free(decoder *d) {
  if (!d)
    return;
  frag_free(d->frags);
  free(d);
}

void decoder_expire(decoder *d, const struct timespec *now) {
  frag_expire(d->frags, now);
}

const decode_stats *decoder_stats(const decoder *d) {
  return &d->st;
}
