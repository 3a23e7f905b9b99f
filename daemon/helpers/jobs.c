/* jobs.* (runtime.md §8.4): the script side of the job table. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/cron.h"
#include "jobs/scheduler.h"
#include "log.h"
#include "vm_internal.h"

/* Status lines of the helpers go to the calling script's console. */
static void status(vm *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void status(vm *v, const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (v->current)
    vm_console_line(v->current, false, line, strlen(line));
}

/* ToString, lower-cased, spaces replaced by '-'; pushed, returned. */
static const char *norm_tag(duk_context *ctx, duk_idx_t idx,
                            const char *helper) {
  if (duk_is_undefined(ctx, idx) || duk_is_null(ctx, idx))
    (void)duk_type_error(ctx, "%s: tag is required", helper);
  duk_dup(ctx, idx);
  char *t = strdup(duk_to_string(ctx, -1));
  duk_pop(ctx);
  if (t)
    jobs_norm_tag(t);
  duk_push_string(ctx, t ? t : "");
  free(t);
  return duk_get_string(ctx, -1);
}

/* Stores [task, args...] under the job's id. */
static void store_task(duk_context *ctx, unsigned id, duk_idx_t nargs) {
  jobs_push_store(ctx);
  duk_push_array(ctx);
  duk_dup(ctx, 2);
  duk_put_prop_index(ctx, -2, 0);
  for (duk_idx_t i = 0; i < nargs; i++) {
    duk_dup(ctx, 4 + i);
    duk_put_prop_index(ctx, -2, (duk_uarridx_t)(i + 1));
  }
  duk_put_prop_index(ctx, -2, id);
  duk_pop(ctx);
}

/* jobs.schedule(tag, cron, task, limit?, ...args) */
static duk_ret_t jobs_schedule(duk_context *ctx) {
  vm *v = vm_of(ctx);
  duk_idx_t top = duk_get_top(ctx);
  if (top < 3)
    duk_set_top(ctx, 3);
  const char *tag = norm_tag(ctx, 0, "jobs.schedule");
  if (duk_is_undefined(ctx, 1) || duk_is_null(ctx, 1))
    return duk_type_error(ctx, "jobs.schedule: cron is required");
  const char *text = duk_to_string(ctx, 1);
  if (!duk_is_function(ctx, 2))
    return duk_type_error(ctx, "jobs.schedule: task must be a function");
  double lim = top > 3 && !duk_is_undefined(ctx, 3) ? duk_to_number(ctx, 3) : 0;
  char err[256];
  cron_expr *c = cron_parse(text, err, sizeof(err));
  if (!c)
    return duk_generic_error(ctx, "jobs.schedule: invalid cron \"%s\": %s",
                             text, err);
  ssize_t old = jobs_find(v, tag);
  if (old >= 0)
    jobs_remove_at(v, (size_t)old);
  job *j = calloc(1, sizeof(*j));
  int64_t now = (int64_t)time(NULL);
  cron_set_anchor(c, now);
  *j = (job){.tag = strdup(tag),
             .cron_text = strdup(text),
             .cron = c,
             .limit = lim >= 1 ? (int64_t)lim : 0,
             .next_run = cron_next(c, now),
             .owner = v->current,
             .id = ++v->jobs.next_id,
             .last_run = -1};
  store_task(ctx, j->id, top > 4 ? top - 4 : 0);
  if (jobs_add(v, j) < 0)
    return duk_generic_error(ctx, "jobs.schedule: out of memory");
  char limit[32];
  snprintf(limit, sizeof(limit), "%lld", (long long)j->limit);
  status(v, "Scheduled the job: \"%s\" for cron: \"%s\" (limit: %s)", tag, text,
         j->limit ? limit : "infinite");
  duk_push_string(ctx, tag);
  return 1;
}

static ssize_t require_job(duk_context *ctx, const char *helper) {
  vm *v = vm_of(ctx);
  const char *tag = norm_tag(ctx, 0, helper);
  ssize_t i = jobs_find(v, tag);
  if (i < 0)
    (void)duk_generic_error(ctx, "%s: no job with tag \"%s\"", helper, tag);
  return i;
}

static duk_ret_t jobs_remove(duk_context *ctx) {
  vm *v = vm_of(ctx);
  ssize_t i = require_job(ctx, "jobs.remove");
  status(v, "Removed the job: \"%s\"", v->jobs.jobs[i]->tag);
  jobs_remove_at(v, (size_t)i);
  return 0;
}

static duk_ret_t jobs_remove_all(duk_context *ctx) {
  vm *v = vm_of(ctx);
  while (v->jobs.n)
    jobs_remove_at(v, v->jobs.n - 1);
  status(v, "Removed all jobs");
  return 0;
}

static duk_ret_t jobs_list(duk_context *ctx) {
  vm *v = vm_of(ctx);
  job **sorted = jobs_sorted(v);
  if (!sorted)
    return duk_error(ctx, DUK_ERR_ERROR, "jobs.list: out of memory");
  duk_push_array(ctx);
  for (size_t i = 0; i < v->jobs.n; i++) {
    duk_push_string(ctx, sorted[i]->tag);
    duk_put_prop_index(ctx, -2, (duk_uarridx_t)i);
  }
  free(sorted);
  return 1;
}

static duk_ret_t jobs_run(duk_context *ctx) {
  vm *v = vm_of(ctx);
  ssize_t i = require_job(ctx, "jobs.run");
  v->jobs.jobs[i]->queued = true;
  status(v, "Queued the job: \"%s\"", v->jobs.jobs[i]->tag);
  return 0;
}

static duk_ret_t jobs_run_all(duk_context *ctx) {
  vm *v = vm_of(ctx);
  for (size_t i = 0; i < v->jobs.n; i++)
    v->jobs.jobs[i]->queued = true;
  status(v, "Queued all jobs");
  return 0;
}

static duk_ret_t sched_is_running(duk_context *ctx) {
  duk_push_boolean(ctx, !vm_of(ctx)->jobs.stopped);
  return 1;
}

static duk_ret_t sched_start(duk_context *ctx) {
  vm *v = vm_of(ctx);
  v->jobs.stopped = false;
  status(v, "Started the job scheduler");
  return 0;
}

static duk_ret_t sched_stop(duk_context *ctx) {
  vm *v = vm_of(ctx);
  v->jobs.stopped = true;
  status(v, "Stopped the job scheduler");
  return 0;
}

void helper_jobs_install(duk_context *ctx) {
  static const duk_function_list_entry fns[] = {
      {"schedule", jobs_schedule, DUK_VARARGS},
      {"remove", jobs_remove, 1},
      {"removeAll", jobs_remove_all, 0},
      {"list", jobs_list, 0},
      {"run", jobs_run, 1},
      {"runAll", jobs_run_all, 0},
      {NULL, NULL, 0}};
  static const duk_function_list_entry sched[] = {
      {"isRunning", sched_is_running, 0},
      {"start", sched_start, 0},
      {"stop", sched_stop, 0},
      {NULL, NULL, 0}};
  duk_push_object(ctx);
  duk_put_function_list(ctx, -1, fns);
  duk_push_object(ctx);
  duk_put_function_list(ctx, -1, sched);
  duk_put_prop_literal(ctx, -2, "scheduler");
  duk_put_global_literal(ctx, "jobs");
}
