/* `wirehook jobs ...` on the script thread: the same table and the same
 * effects as the jobs.* helpers. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/serve.h"
#include "log.h"
#include "vm_internal.h"

static json_t *time_or_null(int64_t t) {
  return t >= 0 ? json_integer(t) : json_null();
}

static json_t *job_json(const job *j) {
  return json_pack("{s:s, s:s, s:I, s:I, s:I, s:o, s:o, s:b, s:b, s:s}", "tag",
                   j->tag, "cron", j->cron_text, "limit", (json_int_t)j->limit,
                   "runs", (json_int_t)j->runs, "skipped",
                   (json_int_t)j->skipped, "lastRun", time_or_null(j->last_run),
                   "nextRun", time_or_null(j->next_run), "running", j->running,
                   "queued", j->queued, "script",
                   j->owner ? j->owner->name : "");
}

static json_t *list(vm *v) {
  job **sorted = jobs_sorted(v);
  if (!sorted)
    return NULL;
  json_t *arr = json_array();
  for (size_t i = 0; i < v->jobs.n; i++)
    json_array_append_new(arr, job_json(sorted[i]));
  free(sorted);
  return json_pack("{s:b, s:b, s:o}", "ok", 1, "running", !v->jobs.stopped,
                   "jobs", arr);
}

/* The job of the request's tag, normalised as jobs.* does; -1 with err. */
static ssize_t find(vm *v, const json_t *req, const char *action, char *err,
                    size_t errcap) {
  const char *t = json_string_value(json_object_get(req, "tag"));
  if (!t || !*t) {
    snprintf(err, errcap, "jobs %s: a tag is required", action);
    return -1;
  }
  char tag[256];
  snprintf(tag, sizeof(tag), "%s", t);
  jobs_norm_tag(tag);
  ssize_t i = jobs_find(v, tag);
  if (i >= 0)
    return i;
  snprintf(err, errcap,
           "jobs %s: no job with tag \"%s\"; see wirehook jobs list", action,
           tag);
  return -1;
}

static json_t *ok(void) {
  return json_pack("{s:b}", "ok", 1);
}

json_t *serve_jobs(vm *v, const json_t *req, char *err, size_t errcap) {
  const char *a = json_string_value(json_object_get(req, "action"));
  if (!a)
    a = "";
  if (!strcmp(a, "list"))
    return list(v);
  if (!strcmp(a, "status"))
    return json_pack("{s:b, s:b, s:I}", "ok", 1, "running", !v->jobs.stopped,
                     "count", (json_int_t)v->jobs.n);
  if (!strcmp(a, "start") || !strcmp(a, "stop")) {
    v->jobs.stopped = a[2] == 'o';
    log_info("control: %s the job scheduler",
             v->jobs.stopped ? "stopped" : "started");
    return ok();
  }
  if (strcmp(a, "run") && strcmp(a, "remove")) {
    snprintf(err, errcap,
             "jobs: unknown action \"%s\"; actions: list, run, remove, start, "
             "stop, status",
             a);
    return NULL;
  }
  ssize_t i = find(v, req, a, err, errcap);
  if (i < 0)
    return NULL;
  log_info("control: %s the job \"%s\"", a[1] == 'u' ? "queued" : "removed",
           v->jobs.jobs[i]->tag);
  if (a[1] == 'u')
    v->jobs.jobs[i]->queued = true;
  else
    jobs_remove_at(v, (size_t)i);
  return ok();
}
