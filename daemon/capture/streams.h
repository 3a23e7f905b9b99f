/* The capture side of the pipeline: decoded packets into flows, flows into
 * dissectors, exchanges into items, items onto the queue.  Runs on the
 * capture thread only. */
#ifndef WH_STREAMS_H
#define WH_STREAMS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture/decode.h"
#include "capture/flow.h"
#include "capture/options.h"
#include "dissect/dns.h"
#include "dissect/http1.h"
#include "item.h"

typedef struct queue queue;
typedef struct pcap_store pcap_store;
typedef struct stream stream;

typedef struct capture_counters {
  uint64_t packets, bytes;
  uint64_t items, dropped_items, packet_events, dropped_packets;
  uint64_t not_dissected; /* TCP flows that are neither HTTP nor DNS */
} capture_counters;

typedef struct capture_side {
  const capture_opts *opts;
  item_ctx items;
  pthread_mutex_t *names_lock; /* guards items.names (shared with scripts) */
  bool learn_dns;
  queue *q;
  bool wait;          /* replay: wait for room instead of dropping */
  bool packet_events; /* some script defines onPacketCaptured */
  pcap_store *store;  /* may be NULL */
  int linktype;

  decoder *dec;
  flow_table *flows;
  stream *live; /* streams with a dissector, for timeouts */
  http1_stats http;
  dns_stats dns;
  capture_counters c;
  struct timespec last_tick;
} capture_side;

/* Fills the decoder and flow table of cs (its other fields set by the
 * caller).  Returns 0 or -1. */
int capture_side_init(capture_side *cs);
/* One captured frame. */
void capture_side_frame(capture_side *cs, const struct timespec *ts,
                        const uint8_t *data, uint32_t caplen, uint32_t len);
/* Timers with the capture clock (live capture calls it when idle too). */
void capture_side_tick(capture_side *cs, const struct timespec *now);
/* Ends every flow (unanswered requests become items) and frees. */
void capture_side_finish(capture_side *cs);

#endif
