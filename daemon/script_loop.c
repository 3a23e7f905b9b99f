#include "config.h"

#include "script_loop.h"

#include <jansson.h>
#include <time.h>

#include "control/serve.h"
#include "jobs/scheduler.h"
#include "queue.h"
#include "store/item_store.h"
#include "vm.h"

/* How long the store may hold items back from queries, and how often
 * retention looks at it. */
#define FLUSH_MS 200
#define RETAIN_MS 10000

static void deliver(const script_loop *l, event *ev) {
  if (ev->kind == EV_ITEM) {
    if (l->items)
      item_store_append(l->items, ev->json);
    if (l->json_out) {
      json_dumpf(ev->json, l->json_out, JSON_COMPACT);
      fputc('\n', l->json_out);
    }
    if (l->vm)
      vm_item_captured(l->vm, ev->json);
  } else if (l->vm) {
    vm_packet_captured(l->vm, ev->json);
  }
  json_decref(ev->json);
}

/* Store upkeep on the script thread, which owns the writer. */
static void upkeep(const script_loop *l, int64_t now, int64_t *flushed,
                   int64_t *retained) {
  if (!l->items)
    return;
  if (now - *flushed >= FLUSH_MS) {
    item_store_flush(l->items);
    *flushed = now;
  }
  if (now - *retained >= RETAIN_MS) {
    item_store_retain(l->items, (time_t)(now / 1000));
    *retained = now;
  }
}

void script_loop_run(const script_loop *l) {
  int64_t flushed = jobs_now_ms(), retained = flushed;
  event ev;
  for (;;) {
    int64_t now = jobs_now_ms();
    int64_t wait = l->vm ? vm_run_jobs(l->vm, now, FLUSH_MS) : FLUSH_MS;
    if (l->serve)
      serve_requests(l->serve);
    upkeep(l, now, &flushed, &retained);
    if (l->stop && *l->stop)
      queue_close(l->q);
    if (queue_pop(l->q, &ev, (int)wait))
      deliver(l, &ev);
    else if (queue_closed(l->q))
      break;
  }
  if (l->items) {
    item_store_flush(l->items);
    /* A replay is often over before the first periodic pass. */
    item_store_retain(l->items, time(NULL));
  }
  if (l->json_out)
    fflush(l->json_out);
}
