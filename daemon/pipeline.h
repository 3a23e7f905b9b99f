/* The pipeline: a capture thread (source -> capture side -> queue) and the
 * script thread (queue -> hooks), with the stats line and, for replays on
 * a terminal, a progress bar. */
#ifndef WH_PIPELINE_H
#define WH_PIPELINE_H

#include <stdatomic.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "capture/options.h"

typedef struct vm vm;
typedef struct wh_config wh_config;
typedef struct resolver resolver;
typedef struct pcap_store pcap_store;
typedef struct queue queue;
typedef struct item_store item_store;
typedef struct serve_ctx serve_ctx;

typedef struct pipeline_opts {
  const wh_config *cfg;
  capture_opts cap;
  vm *vm;           /* scripts; NULL: none */
  FILE *json_out;   /* print every item as a JSON line; may be NULL */
  const char *file; /* replay this capture file; NULL: live */
  bool progress;    /* a progress bar on stderr */
  atomic_int *stop; /* set on SIGINT/SIGTERM: stop capturing */
  queue *q;          /* the queue to use (its capacity wins); NULL: own */
  item_store *items; /* store every item here; may be NULL */
  serve_ctx *serve;  /* answer control requests; may be NULL */
} pipeline_opts;

/* Runs until the file ends (replay) or *stop is set (live), then drains
 * the queue.  Returns 0, 1 on a runtime error, 2 on a configuration
 * error (message already printed). */
int pipeline_run(const pipeline_opts *o);

#endif
