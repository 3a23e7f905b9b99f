/* TCP reassembly of one connection, internal to the flow table
 * (flow.c).  Each direction keeps the next expected sequence number and
 * a sorted list of disjoint out-of-order segments; bytes leave through
 * tcp_env.deliver in order, with `gap` set after skipped bytes. */
#ifndef WH_TCP_REASM_H
#define WH_TCP_REASM_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/flow.h"

/* Held segments per direction: bounds the walk of an insertion even when
 * the byte cap is large and the segments tiny. */
#define TCP_MAX_HELD_SEGS 4096u

typedef struct tcp_seg tcp_seg;

typedef struct tcp_half {
  tcp_seg *head, *tail; /* held data, sorted by seq, disjoint */
  uint32_t next;        /* next expected sequence number */
  uint32_t isn;         /* the SYN's sequence number (syn) */
  uint32_t fin_seq;     /* sequence number of the FIN (fin) */
  uint32_t held_bytes;  /* charged: payload + FLOW_SEG_OVERHEAD each */
  uint32_t held_segs;
  bool started; /* next is valid */
  bool syn;     /* the start is known exactly (SYN or SYN-ACK seen) */
  bool fin;
  bool gap; /* the next delivery follows lost bytes */
} tcp_half;

typedef struct tcp_conn {
  tcp_half half[2];
  bool stopped; /* flow_stop_data: nothing more delivered or held */
  bool busy;    /* inside tcp_env.deliver: held data must not be freed */
} tcp_conn;

/* What the reassembler needs from the table, built per call. */
typedef struct tcp_env {
  uint32_t max_half_bytes;  /* flow_limits.max_flow_bytes */
  uint64_t max_total_bytes; /* flow_limits.max_total_bytes */
  flow_stats *st;           /* counters; st->held_bytes is the total */
  void (*deliver)(void *ctx, int dir, const uint8_t *data, uint32_t len,
                  bool gap, const struct timespec *ts);
  void *ctx;
} tcp_env;

enum tcp_result { TCP_OPEN = 0, TCP_END_FIN, TCP_END_RST };

/* Feeds one segment sent by direction dir; returns a tcp_result. */
int tcp_conn_segment(tcp_conn *c, const tcp_env *e, int dir, const pkt *p);
/* Delivers all held data, skipping holes as gaps (the flow ends). */
void tcp_conn_flush(tcp_conn *c, const tcp_env *e);
/* Frees held data without delivering it. */
void tcp_conn_release(tcp_conn *c, const tcp_env *e);
/* A SYN (without ACK) that starts a new connection on the same 5-tuple
 * rather than repeating this one's SYN. */
bool tcp_conn_is_new_syn(const tcp_conn *c, int dir, const pkt *p);
bool tcp_conn_fin_seen(const tcp_conn *c);

#endif
