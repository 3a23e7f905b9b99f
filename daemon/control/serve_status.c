/* The `wirehook status` answer (doc/control.md "status"), put together on
 * the script thread, which owns the scripts and jobs it reports. */
#include "config.h"

#include <jansson.h>
#include <unistd.h>

#include "cfg.h"
#include "control/control.h"
#include "control/serve.h"
#include "store/item_store.h"
#include "vm_internal.h"

static json_t *hook_stats(const vm_hook_stats *st) {
  return json_pack("{s:I, s:I, s:I, s:f}", "calls", (json_int_t)st->calls,
                   "errors", (json_int_t)st->errors, "timeouts",
                   (json_int_t)st->timeouts, "ms", (double)st->ns / 1e6);
}

static json_t *scripts(vm *v) {
  json_t *arr = json_array();
  for (size_t i = 0; v && i < v->n_scripts; i++) {
    script *s = v->scripts[i];
    json_t *hooks = json_object();
    for (int h = 0; h < VM_HOOK_COUNT; h++)
      if (s->has_hook[h])
        json_object_set_new(hooks, vm_hook_names[h], hook_stats(&s->stats[h]));
    json_array_append_new(arr, json_pack("{s:s, s:s, s:o}", "script", s->name,
                                         "path", s->path, "hooks", hooks));
  }
  return arr;
}

static json_t *jobs(vm *v) {
  uint64_t runs = 0, skipped = 0;
  size_t n = v ? v->jobs.n : 0;
  for (size_t i = 0; i < n; i++) {
    runs += v->jobs.jobs[i]->runs;
    skipped += v->jobs.jobs[i]->skipped;
  }
  return json_pack("{s:b, s:I, s:I, s:I}", "running", v && !v->jobs.stopped,
                   "count", (json_int_t)n, "runs", (json_int_t)runs, "skipped",
                   (json_int_t)skipped);
}

static json_t *storage(const serve_ctx *sc) {
  json_t *items = json_null();
  if (sc->items) {
    item_store_usage u;
    item_store_get_usage(sc->items, &u);
    items = json_pack("{s:I, s:I, s:I, s:I, s:I}", "bytes", (json_int_t)u.bytes,
                      "segments", (json_int_t)u.segments, "items",
                      (json_int_t)u.items, "errors", (json_int_t)u.errors,
                      "deleted_segments", (json_int_t)u.deleted_segments);
  }
  return json_pack("{s:s, s:n, s:o}", "dir", sc->cfg->data_dir, "pcaps",
                   "items", items);
}

json_t *serve_status(const serve_ctx *sc) {
  json_t *st = json_pack(
      "{s:s, s:i, s:s, s:I, s:n, s:o, s:o, s:o, s:{s:i, s:i}}", "version",
      PACKAGE_VERSION, "pid", (int)getpid(), "run", sc->run_id, "uptime_s",
      (json_int_t)(time(NULL) - sc->started), "capture", "scripts",
      scripts(sc->vm), "jobs", jobs(sc->vm), "storage", storage(sc), "control",
      "clients", (int)control_clients(sc->ctl), "queries",
      (int)control_queries(sc->ctl));
  if (sc->capture_status)
    sc->capture_status(sc->capture_udata, st);
  return st;
}
