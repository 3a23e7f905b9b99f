#include "config.h"

#include "cli_control.h"
#include "cli_control_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* "2026-11-26 23:49:16" for Unix seconds, "-" for null (never, or not
 * scheduled). */
static void job_time(char *out, size_t cap, const json_t *v) {
  if (json_is_number(v) && json_number_value(v) >= 0)
    fmt_local_time(out, cap, (int64_t)json_number_value(v) * 1000, false);
  else
    snprintf(out, cap, "-");
}

static const char *job_state(const json_t *job) {
  if (jtrue(job, "running"))
    return "running";
  return jtrue(job, "queued") ? "queued" : "idle";
}

static int add_job_row(table *t, const json_t *job) {
  char limit[24], runs[24], skipped[24], last[32], next[32];
  uint64_t lim = juint(job, "limit");
  if (lim)
    snprintf(limit, sizeof(limit), "%" PRIu64, lim);
  else
    snprintf(limit, sizeof(limit), "∞");
  snprintf(runs, sizeof(runs), "%" PRIu64, juint(job, "runs"));
  snprintf(skipped, sizeof(skipped), "%" PRIu64, juint(job, "skipped"));
  job_time(last, sizeof(last), json_object_get(job, "lastRun"));
  job_time(next, sizeof(next), json_object_get(job, "nextRun"));
  const char *row[] = {jstr(job, "tag", "?"),
                       jstr(job, "cron", "?"),
                       limit,
                       runs,
                       skipped,
                       last,
                       next,
                       job_state(job),
                       jstr(job, "script", "")};
  return table_add(t, row);
}

static void print_job_list(const json_t *answer) {
  static const char *const head[] = {"TAG",  "CRON",    "LIMIT",
                                     "RUNS", "SKIPPED", "LAST",
                                     "NEXT", "STATE",   "SCRIPT"};
  const json_t *jobs = json_object_get(answer, "jobs"), *job;
  size_t i;
  if (!jtrue(answer, "running"))
    puts("scheduler stopped");
  if (!json_array_size(jobs)) {
    puts("no jobs");
    return;
  }
  table t;
  table_init(&t, 9);
  t.right[2] = t.right[3] = t.right[4] = true;
  table_add(&t, head);
  json_array_foreach(jobs, i, job) {
    add_job_row(&t, job);
  }
  table_print(&t, stdout, 0, false);
  table_free(&t);
}

static void print_jobs_answer(const char *action, const char *tag,
                              const json_t *answer) {
  char *clean = tag ? fmt_clean(tag, false) : NULL;
  const char *shown = clean ? clean : "";
  if (!strcmp(action, "list"))
    print_job_list(answer);
  else if (!strcmp(action, "run"))
    printf("queued job \"%s\"\n", shown);
  else if (!strcmp(action, "remove"))
    printf("removed job \"%s\"\n", shown);
  else if (!strcmp(action, "start"))
    puts("scheduler started");
  else if (!strcmp(action, "stop"))
    puts("scheduler stopped");
  else
    printf("scheduler %s, %" PRIu64 " jobs\n",
           jtrue(answer, "running") ? "running" : "stopped",
           juint(answer, "count"));
  fflush(stdout);
  free(clean);
}

/* Checks the action and its TAG; -1 to go on, else the exit code. */
static int check_action(const ctl_opts *o) {
  static const char *const plain[] = {"list", "start", "stop", "status"};
  if (o->n_args == 0)
    return ctl_usage_error(o->usage, "jobs: missing action");
  const char *a = o->args[0];
  if (!strcmp(a, "run") || !strcmp(a, "remove")) {
    if (o->n_args != 2)
      return ctl_usage_error(o->usage, "jobs %s needs one TAG", a);
    return -1;
  }
  for (size_t i = 0; i < sizeof(plain) / sizeof(*plain); i++)
    if (!strcmp(a, plain[i]))
      return o->n_args == 1
                 ? -1
                 : ctl_usage_error(o->usage, "jobs %s: unexpected argument %s",
                                   a, o->args[1]);
  return ctl_usage_error(o->usage, "jobs: unknown action %s", a);
}

int cmd_jobs(int argc, char **argv) {
  ctl_opts o = {.name = "jobs", .usage = usage_jobs};
  json_t *answer = NULL;
  int rc = ctl_parse(argc, argv, 0, OPT_JSON, &o);
  if (rc >= 0 || (rc = check_action(&o)) >= 0)
    return rc;
  const char *action = o.args[0], *tag = o.n_args > 1 ? o.args[1] : NULL;
  json_t *jtag = tag ? json_string(tag) : NULL;
  if (tag && !jtag)
    return ctl_usage_error(o.usage, "jobs %s: TAG is not valid UTF-8", action);
  json_t *req = json_pack("{s:s, s:s}", "cmd", "jobs", "action", action);
  if (req && jtag)
    json_object_set(req, "tag", jtag);
  json_decref(jtag);
  rc = req ? ctl_request(&o, req, NULL, NULL, &answer) : EXIT_RUNTIME;
  json_decref(req);
  if (rc >= 0)
    return rc;
  if (o.json)
    ctl_print_json(answer);
  else
    print_jobs_answer(action, tag, answer);
  json_decref(answer);
  return EXIT_OK;
}
