/* Jobs: scheduled script functions (runtime.md §8.4), run on the script
 * thread between items.  The table belongs to the vm. */
#ifndef WH_SCHEDULER_H
#define WH_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct vm vm;
typedef struct script script;
typedef struct cron_expr cron_expr;

typedef struct job {
  char *tag;       /* normalised */
  char *cron_text; /* as given */
  cron_expr *cron;
  int64_t limit; /* 0: no limit */
  uint64_t runs;
  uint64_t skipped; /* occurrences missed while busy (not caught up) */
  int64_t last_run, next_run; /* unix seconds; next_run -1: never */
  bool queued;                /* jobs.run asked for a run */
  bool running;               /* its task is running now */
  script *owner;
  unsigned id; /* key of its function and arguments in the owner */
} job;

typedef struct job_table {
  job **jobs;
  size_t n, cap;
  bool stopped; /* jobs.scheduler.stop() */
  unsigned next_id;
} job_table;

/* Runs the jobs that are due (or queued) at `now_ms`; returns the
 * milliseconds until the next one is due (at most max_wait_ms). */
int64_t vm_run_jobs(vm *v, int64_t now_ms, int64_t max_wait_ms);
/* The wall clock in milliseconds, as vm_run_jobs wants it. */
int64_t jobs_now_ms(void);
/* Removes every job of script s (its script is being unloaded). */
void jobs_remove_owned(vm *v, script *s);
void jobs_free_all(vm *v);
/* A reload takes a script's jobs out of the table while the new version
 * loads: back in if it fails (replacing jobs of the same tag), freed if
 * it succeeds.  *out is malloc'ed; returns the count. */
size_t jobs_detach_owned(vm *v, script *s, job ***out);
void jobs_reattach(vm *v, job **js, size_t n);
void jobs_free_detached(vm *v, job **js, size_t n);
/* A tag as jobs.* and `wirehook jobs` use it: lower case, spaces as '-'
 * (in place). */
void jobs_norm_tag(char *tag);
/* The index of the job of a normalised tag, or -1. */
ssize_t jobs_find(const vm *v, const char *tag);
/* The jobs sorted by tag (malloc'ed array of v->jobs.n, NULL when out of
 * memory). */
job **jobs_sorted(const vm *v);
/* Appends j to the table; -1 (j freed) when out of memory. */
int jobs_add(vm *v, job *j);
/* Removes job i of the table (and its stored function). */
void jobs_remove_at(vm *v, size_t i);
/* Pushes the heap's store of job functions ({id: [task, args...]}). */
void jobs_push_store(void *ctx);

#endif
