/* Dispatch of control requests on the script thread. */
#include "config.h"

#include "control/serve.h"

#include <jansson.h>
#include <stdio.h>

#include "control/control.h"
#include "vm.h"

/* A query's matches through the onItemQueried pipeline, one line each,
 * then the final line. */
static void answer_queried(const serve_ctx *sc, ctl_request *r) {
  size_t i, n = json_array_size(r->items);
  for (i = 0; i < n; i++) {
    json_t *item = json_array_get(r->items, i);
    json_t *out = sc->vm ? vm_item_queried(sc->vm, item) : json_incref(item);
    control_reply(sc->ctl, r->client, r->req,
                  json_pack("{s:s, s:o}", "event", "item", "item", out));
  }
  control_reply(sc->ctl, r->client, r->req,
                json_pack("{s:b, s:I, s:I}", "ok", 1, "count", (json_int_t)n,
                          "scanned", (json_int_t)r->scanned));
}

static void answer(const serve_ctx *sc, ctl_request *r) {
  char err[512] = "";
  json_t *ans = NULL;
  switch (r->kind) {
  case CTL_QUERIED:
    answer_queried(sc, r);
    return;
  case CTL_STATUS:
    ans = json_pack("{s:b, s:o}", "ok", 1, "status", serve_status(sc));
    break;
  case CTL_JOBS:
    ans = sc->vm ? serve_jobs(sc->vm, r->req, err, sizeof(err)) : NULL;
    if (!sc->vm)
      snprintf(err, sizeof(err), "jobs: no scripts are loaded");
    break;
  case CTL_SCRIPTS:
    ans = serve_scripts(sc, r->req, err, sizeof(err));
    break;
  }
  if (ans)
    control_reply(sc->ctl, r->client, r->req, ans);
  else
    control_reply_error(sc->ctl, r->client, r->req, "%s",
                        err[0] ? err : "out of memory");
}

size_t serve_requests(const serve_ctx *sc) {
  ctl_request r;
  size_t n = 0;
  /* A bounded batch, so a flood of requests cannot starve the items. */
  while (n < 16 && sc->ctl && control_next(sc->ctl, &r)) {
    answer(sc, &r);
    ctl_request_free(&r);
    n++;
  }
  return n;
}
