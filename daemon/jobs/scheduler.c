/* The job table and its runs: due jobs run between items on the script
 * thread, each under the hook time limit; a job never overlaps itself
 * (runs are sequential), missed occurrences are skipped, not caught up. */
#include "config.h"

#include "jobs/scheduler.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jobs/cron.h"
#include "log.h"
#include "vm_internal.h"

#define K_JOBS DUK_HIDDEN_SYMBOL("whJobs")

/* Pushes the heap's table of job functions ({id: [fn, args...]}). */
void jobs_push_store(void *vctx) {
  duk_context *ctx = vctx;
  duk_push_heap_stash(ctx);
  if (!duk_get_prop_literal(ctx, -1, K_JOBS)) {
    duk_pop(ctx);
    duk_push_bare_object(ctx);
    duk_dup_top(ctx);
    duk_put_prop_literal(ctx, -3, K_JOBS);
  }
  duk_remove(ctx, -2);
}

static void job_free(vm *v, job *j) {
  duk_context *ctx = v->heap;
  jobs_push_store(ctx);
  duk_del_prop_index(ctx, -1, j->id);
  duk_pop(ctx);
  cron_free(j->cron);
  free(j->tag);
  free(j->cron_text);
  free(j);
}

void jobs_remove_at(vm *v, size_t i) {
  job_table *t = &v->jobs;
  job *j = t->jobs[i];
  memmove(&t->jobs[i], &t->jobs[i + 1], (t->n - i - 1) * sizeof(job *));
  t->n--;
  job_free(v, j);
}

void jobs_remove_owned(vm *v, script *s) {
  for (size_t i = v->jobs.n; i-- > 0;)
    if (v->jobs.jobs[i]->owner == s)
      jobs_remove_at(v, i);
}

void jobs_norm_tag(char *tag) {
  for (char *p = tag; *p; p++)
    *p = *p == ' ' ? '-' : (char)tolower((unsigned char)*p);
}

ssize_t jobs_find(const vm *v, const char *tag) {
  for (size_t i = 0; i < v->jobs.n; i++)
    if (strcmp(v->jobs.jobs[i]->tag, tag) == 0)
      return (ssize_t)i;
  return -1;
}

static int cmp_tag(const void *a, const void *b) {
  return strcmp((*(job *const *)a)->tag, (*(job *const *)b)->tag);
}

job **jobs_sorted(const vm *v) {
  job **sorted = malloc((v->jobs.n + 1) * sizeof(job *));
  if (!sorted)
    return NULL;
  memcpy(sorted, v->jobs.jobs, v->jobs.n * sizeof(job *));
  qsort(sorted, v->jobs.n, sizeof(job *), cmp_tag);
  return sorted;
}

int jobs_add(vm *v, job *j) {
  job_table *t = &v->jobs;
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 8;
    job **p = realloc(t->jobs, cap * sizeof(*p));
    if (!p) {
      job_free(v, j);
      return -1;
    }
    t->jobs = p;
    t->cap = cap;
  }
  t->jobs[t->n++] = j;
  return 0;
}

size_t jobs_detach_owned(vm *v, script *s, job ***out) {
  job_table *t = &v->jobs;
  size_t n = 0, kept = 0;
  *out = NULL;
  for (size_t i = 0; i < t->n; i++)
    n += t->jobs[i]->owner == s;
  if (!n || !(*out = malloc(n * sizeof(job *))))
    return 0;
  n = 0;
  for (size_t i = 0; i < t->n; i++) {
    if (t->jobs[i]->owner == s)
      (*out)[n++] = t->jobs[i];
    else
      t->jobs[kept++] = t->jobs[i];
  }
  t->n = kept;
  return n;
}

void jobs_reattach(vm *v, job **js, size_t n) {
  for (size_t i = 0; i < n; i++) {
    for (size_t k = v->jobs.n; k-- > 0;)
      if (strcmp(v->jobs.jobs[k]->tag, js[i]->tag) == 0)
        jobs_remove_at(v, k);
    jobs_add(v, js[i]);
  }
  free(js);
}

void jobs_free_detached(vm *v, job **js, size_t n) {
  for (size_t i = 0; i < n; i++)
    job_free(v, js[i]);
  free(js);
}

void jobs_free_all(vm *v) {
  while (v->jobs.n)
    jobs_remove_at(v, v->jobs.n - 1);
  free(v->jobs.jobs);
  v->jobs.jobs = NULL;
  v->jobs.cap = 0;
}

static ssize_t find_job(vm *v, const job *j) {
  for (size_t i = 0; i < v->jobs.n; i++)
    if (v->jobs.jobs[i] == j)
      return (ssize_t)i;
  return -1;
}

/* onJobPassed / onJobFailed in every script that defines it. */
static void job_hooks(vm *v, const job *j, const char *err) {
  vm_hook h = err ? VM_HOOK_JOB_FAILED : VM_HOOK_JOB_PASSED;
  for (size_t i = 0; i < v->n_scripts; i++) {
    script *s = v->scripts[i];
    if (!vm_push_hook(s, h))
      continue;
    duk_push_string(s->ctx, j->tag);
    duk_push_string(s->ctx, j->cron_text);
    duk_push_number(s->ctx, (double)j->limit);
    if (err)
      duk_push_string(s->ctx, err);
    vm_call_hook(s, h, err ? 4 : 3);
    duk_pop(s->ctx);
  }
}

/* Runs one job in its owner's context.  The job may remove itself (or
 * others) while it runs, so it is found again afterwards. */
static void run_job(vm *v, job *j, int64_t now) {
  script *s = j->owner;
  duk_context *ctx = s->ctx;
  char what[300], *tag = strdup(j->tag), *cron = strdup(j->cron_text);
  int64_t limit = j->limit;
  snprintf(what, sizeof(what), "(job=%s)", j->tag);
  j->runs++;
  j->last_run = now;
  jobs_push_store(ctx);
  duk_get_prop_index(ctx, -1, j->id); /* [store entry] */
  duk_size_t n = duk_get_length(ctx, -1);
  for (duk_size_t i = 0; i < n; i++)
    duk_get_prop_index(ctx, -1 - (duk_idx_t)i, (duk_uarridx_t)i);
  int rc = -1;
  j->running = true;
  if (n)
    rc = vm_call(s, (duk_idx_t)n - 1, what);
  else
    duk_push_undefined(ctx); /* keeps the stack shape of a call */
  char err[512] = "";
  if (rc < 0)
    snprintf(err, sizeof(err), "%s",
             rc == -2 ? "RangeError: execution timeout"
                      : duk_safe_to_string(ctx, -1));
  duk_pop_3(ctx);
  ssize_t still = find_job(v, j);
  if (still >= 0)
    j->running = false;
  job tmp = {.tag = tag, .cron_text = cron, .limit = limit};
  job_hooks(v, &tmp, rc < 0 ? err : NULL);
  ssize_t i = find_job(v, j);
  if (i >= 0 && limit > 0 && j->runs >= (uint64_t)limit) {
    log_info("jobs: \"%s\" reached its limit of %lld runs and was removed", tag,
             (long long)limit);
    jobs_remove_at(v, (size_t)i);
  }
  free(tag);
  free(cron);
}

/* The next job that should run now, or NULL. */
static job *due_job(vm *v, int64_t now) {
  for (size_t i = 0; i < v->jobs.n; i++) {
    job *j = v->jobs.jobs[i];
    if (j->queued ||
        (!v->jobs.stopped && j->next_run >= 0 && j->next_run <= now))
      return j;
  }
  return NULL;
}

int64_t jobs_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t vm_run_jobs(vm *v, int64_t now_ms, int64_t max_wait_ms) {
  int64_t now = now_ms / 1000;
  job *j;
  /* Each due job runs once per call; later occurrences missed while it
   * ran are skipped, not caught up. */
  size_t budget = v->jobs.n + 1;
  while (budget-- && (j = due_job(v, now)) != NULL) {
    bool scheduled = !j->queued;
    j->queued = false;
    if (scheduled || j->next_run <= now) {
      /* Occurrences that came due while the thread was busy are counted
       * and skipped, not caught up. */
      int64_t t = j->next_run;
      for (int k = 0; k < 1000 && t >= 0 && t < now; k++) {
        t = cron_next(j->cron, t);
        if (t >= 0 && t <= now)
          j->skipped++;
      }
      j->next_run = cron_next(j->cron, now);
    }
    run_job(v, j, now);
  }
  int64_t wait = max_wait_ms;
  for (size_t i = 0; i < v->jobs.n && !v->jobs.stopped; i++) {
    job *k = v->jobs.jobs[i];
    if (k->next_run >= 0 || k->queued) {
      int64_t ms = k->next_run * 1000 - now_ms;
      if (ms < wait)
        wait = ms < 0 ? 0 : ms;
    }
  }
  return wait;
}
