/* The flow table: TCP connections and UDP 5-tuple flows, with TCP
 * reassembly.  Callers feed decoded packets; in-order bytes of each
 * direction come out through callbacks.  Every table has a cap and every
 * drop has a counter. */
#ifndef WH_FLOW_H
#define WH_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/packet.h"

typedef struct flow flow;
typedef struct flow_table flow_table;

/* Why a flow ended. */
enum flow_end {
  FLOW_END_FIN, /* both sides closed (or one FIN and then idle) */
  FLOW_END_RST,
  FLOW_END_IDLE,    /* idle timeout */
  FLOW_END_EVICTED, /* dropped to respect max_flows */
  FLOW_END_SHUTDOWN /* flow_table_free / flow_table_flush */
};

typedef struct flow_limits {
  uint32_t max_flows;       /* default 65536 */
  uint32_t max_flow_bytes;  /* out-of-order bytes held per direction (default 4
                               MiB) */
  uint64_t max_total_bytes; /* held in all flows (default 256 MiB) */
  uint32_t tcp_idle_ms;     /* default 300000 */
  uint32_t udp_idle_ms;     /* default 60000 */
} flow_limits;

typedef struct flow_stats {
  uint64_t flows_tcp, flows_udp; /* created */
  uint64_t active;               /* now */
  uint64_t evicted;              /* for max_flows */
  uint64_t idle_closed;
  uint64_t retransmitted;     /* segments or bytes already delivered */
  uint64_t out_of_order;      /* segments held for later */
  uint64_t overlaps;          /* overlapping segments trimmed */
  uint64_t gap_bytes;         /* bytes lost (skipped) */
  uint64_t dropped_flow_cap;  /* segments dropped by max_flow_bytes */
  uint64_t dropped_total_cap; /* segments dropped by max_total_bytes */
  uint64_t held_bytes;        /* now (payload + FLOW_SEG_OVERHEAD per
                                 held segment) */
  uint64_t bad_segments;      /* data after the FIN or too far ahead
                                 of the stream (> 2^30) */
} flow_stats;

/* Bytes charged against max_flow_bytes / max_total_bytes for each held
 * segment beside its payload, so that the caps bound memory even when
 * the segments are tiny. */
#define FLOW_SEG_OVERHEAD 64u

typedef struct flow_callbacks {
  void *udata;
  /* A new flow; return the user pointer kept in the flow (stream state). */
  void *(*open)(void *udata, flow *f, const pkt *first);
  /* Every packet of a flow, before reassembly (for the PCAP store). */
  void (*packet)(void *udata, flow *f, const pkt *p);
  /* In-order TCP bytes of direction dir (0 = the side that opened the
   * connection, or that sent the first packet seen).  `gap` is true when
   * bytes before this data were lost, and for the first data of a
   * direction whose start (SYN) was not seen. ts is the time of the packet that
   * carried the first of these bytes. */
  void (*tcp_data)(void *udata, flow *f, int dir, const uint8_t *data,
                   uint32_t len, bool gap, const struct timespec *ts);
  /* One UDP datagram of direction dir. */
  void (*udp_data)(void *udata, flow *f, int dir, const uint8_t *data,
                   uint32_t len, const struct timespec *ts);
  /* The flow ends; after this call the flow is freed. */
  void (*close)(void *udata, flow *f, enum flow_end why,
                const struct timespec *ts);
} flow_callbacks;

/* limits may be NULL for the defaults (a field left 0 takes its default);
 * cb is copied.  Callbacks may call flow_stop_data and the flow_*
 * accessors, never flow_table_packet/expire/flush/free. */
flow_table *flow_table_new(const flow_limits *limits, const flow_callbacks *cb);
/* Ends every flow (FLOW_END_SHUTDOWN), then frees the table. */
void flow_table_free(flow_table *t);

/* Feeds one decoded TCP or UDP packet.  A TCP packet without payload
 * and without SYN (a pure ACK, FIN or RST) does not open a flow: they
 * mostly trail a flow that just ended. */
void flow_table_packet(flow_table *t, const pkt *p);
/* Ends flows idle for longer than their timeout (call with the capture
 * clock, e.g. once a second of packet time). */
void flow_table_expire(flow_table *t, const struct timespec *now);
/* Ends every flow (FLOW_END_SHUTDOWN, held data delivered as gaps) and
 * keeps the table usable, e.g. at the end of a capture file. */
void flow_table_flush(flow_table *t, const struct timespec *now);

const flow_stats *flow_table_stats(const flow_table *t);

/* About a flow. */
uint64_t flow_id(const flow *f);   /* 1, 2, ... in order of creation */
uint8_t flow_proto(const flow *f); /* 6 or 17 */
/* Endpoint of direction dir's sender (dir 0 = initiator). */
const wh_addr *flow_addr(const flow *f, int dir);
uint16_t flow_port(const flow *f, int dir);
void *flow_user(const flow *f);
/* Stops delivering data for this flow (after an Upgrade/CONNECT): later
 * packets still reach the packet callback, bytes are dropped unbuffered. */
void flow_stop_data(flow *f);

#endif
