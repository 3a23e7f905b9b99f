/* A decoded packet: what the link/IP/transport decoder hands to the flow
 * table.  All pointers point into the captured frame or into decoder-owned
 * memory (a reassembled IP datagram) and are valid until the next call to
 * decode_packet on the same decoder. */
#ifndef WH_PACKET_H
#define WH_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct wh_addr {
  uint8_t family; /* 4 or 6; 0 = none */
  uint8_t bytes[16];
} wh_addr;

/* TCP flag bits as on the wire. */
enum {
  TCP_FIN = 0x01,
  TCP_SYN = 0x02,
  TCP_RST = 0x04,
  TCP_PSH = 0x08,
  TCP_ACK = 0x10
};

typedef struct pkt {
  struct timespec ts;
  const uint8_t *frame; /* the captured frame */
  uint32_t caplen, len; /* captured and on-the-wire lengths */
  int linktype;         /* DLT_* of the capture */

  wh_addr src, dst;
  uint8_t proto; /* 6 = TCP, 17 = UDP */
  uint16_t sport, dport;
  const uint8_t *payload; /* transport payload */
  uint32_t payload_len;   /* bytes available at payload (may be cut by
                             snaplen: see truncated) */

  /* TCP only */
  uint32_t seq, ack;
  uint8_t tcp_flags;

  bool truncated;   /* the payload is cut short by the snaplen
                       (payload_len < the length the headers give) */
  bool reassembled; /* payload comes from IP fragment reassembly */
} pkt;

/* Writes "1.2.3.4" or RFC 5952 IPv6 text into buf (at least 46 bytes). */
const char *addr_to_text(const wh_addr *a, char *buf, size_t cap);
bool addr_equal(const wh_addr *a, const wh_addr *b);

#endif
