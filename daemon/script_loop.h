/* The script thread's loop: items and packets from the queue to the item
 * store and the hooks, due jobs before every event, control requests
 * between events. */
#ifndef WH_SCRIPT_LOOP_H
#define WH_SCRIPT_LOOP_H

#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>

typedef struct queue queue;
typedef struct vm vm;
typedef struct item_store item_store;
typedef struct serve_ctx serve_ctx;

typedef struct script_loop {
  queue *q;
  vm *vm;                 /* NULL: no scripts */
  item_store *items;      /* NULL: items are not stored */
  FILE *json_out;         /* print every item as a JSON line; may be NULL */
  const serve_ctx *serve; /* NULL: no control socket */
  /* Without a capture thread nobody closes the queue: the loop ends once
   * *stop is set.  NULL when the capture thread closes it. */
  atomic_int *stop;
} script_loop;

/* Runs until the queue is closed and drained (or *stop is set). */
void script_loop_run(const script_loop *l);

#endif
