#include "config.h"

#include "cli_control.h"
#include "cli_control_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "strbuf.h"

/* One "  key        value" line; the value is cleaned of control bytes
 * (interface names and paths come from the daemon's configuration). */
static void kv(const char *key, const char *value) {
  char *clean = fmt_clean(value, false);
  printf("  %-11s %s\n", key, clean ? clean : "?");
  free(clean);
}

static void kv_count(const char *key, uint64_t n) {
  printf("  %-11s %" PRIu64 "\n", key, n);
}

static void print_daemon(const json_t *st) {
  char up[64];
  fmt_uptime(up, sizeof(up), juint(st, "uptime_s"));
  puts("daemon");
  kv("version", jstr(st, "version", "?"));
  kv_count("pid", juint(st, "pid"));
  kv("uptime", up);
}

/* "kernel 3, bad 1", or "none": only the reasons that dropped anything. */
static void print_dropped(const json_t *dropped) {
  strbuf sb = STRBUF_INIT;
  const char *reason;
  const json_t *n;
  json_object_foreach((json_t *)dropped, reason, n) {
    uint64_t v = juint_of(n);
    if (v)
      sb_printf(&sb, "%s%s %" PRIu64, sb.len ? ", " : "", reason, v);
  }
  kv("dropped", sb.len ? sb_str(&sb) : "none");
  sb_free(&sb);
}

static void print_capture(const json_t *cap) {
  char buf[64];
  puts("capture");
  if (!json_is_object(cap)) {
    kv("interface", "none (the daemon runs scripts only)");
    return;
  }
  kv("interface", jstr(cap, "interface", "?"));
  kv_count("packets", juint(cap, "packets"));
  fmt_bytes(buf, sizeof(buf), juint(cap, "bytes"));
  kv("bytes", buf);
  kv_count("items", juint(cap, "items"));
  snprintf(buf, sizeof(buf), "%" PRIu64 "/%" PRIu64, juint(cap, "queue.depth"),
           juint(cap, "queue.capacity"));
  kv("queue", buf);
  print_dropped(json_object_get(cap, "dropped"));
}

static void add_hook_row(table *t, const char *script, const char *hook,
                         const json_t *h) {
  char calls[24], errors[24], timeouts[24], mean[32];
  uint64_t n = juint(h, "calls");
  const json_t *ms = json_object_get(h, "ms");
  snprintf(calls, sizeof(calls), "%" PRIu64, n);
  snprintf(errors, sizeof(errors), "%" PRIu64, juint(h, "errors"));
  snprintf(timeouts, sizeof(timeouts), "%" PRIu64, juint(h, "timeouts"));
  if (n && json_is_number(ms))
    snprintf(mean, sizeof(mean), "%.0f µs",
             json_number_value(ms) * 1000.0 / (double)n);
  else
    snprintf(mean, sizeof(mean), "-");
  const char *row[] = {script, hook, calls, errors, timeouts, mean};
  table_add(t, row);
}

static void print_scripts(const json_t *scripts) {
  static const char *const head[] = {"SCRIPT", "HOOK",     "CALLS",
                                     "ERRORS", "TIMEOUTS", "MEAN"};
  const json_t *s, *h;
  const char *hook;
  size_t i;
  puts("scripts");
  if (!json_array_size(scripts)) {
    puts("  none");
    return;
  }
  table t;
  table_init(&t, 6);
  t.indent = 2;
  t.right[2] = t.right[3] = t.right[4] = t.right[5] = true;
  table_add(&t, head);
  json_array_foreach(scripts, i, s) {
    const char *name = jstr(s, "script", "?");
    const json_t *hooks = json_object_get(s, "hooks");
    if (!json_object_size(hooks)) {
      const char *row[] = {name, "(no hooks)", "", "", "", ""};
      table_add(&t, row);
    }
    json_object_foreach((json_t *)hooks, hook, h) {
      add_hook_row(&t, name, hook, h);
    }
  }
  table_print(&t, stdout, 0, false);
  table_free(&t);
}

static void print_jobs(const json_t *jobs) {
  char buf[160];
  puts("jobs");
  snprintf(buf, sizeof(buf),
           "%s, %" PRIu64 " jobs, %" PRIu64 " runs, %" PRIu64 " skipped",
           jtrue(jobs, "running") ? "running" : "stopped", juint(jobs, "count"),
           juint(jobs, "runs"), juint(jobs, "skipped"));
  kv("scheduler", buf);
}

/* "3.0 MiB in 12 files"; "none" when the daemon keeps no such store. */
static void print_store(const json_t *sto, const char *key, bool segments) {
  char size[32], buf[160];
  const json_t *st = json_object_get(sto, key);
  if (!json_is_object(st)) {
    kv(key, "none");
    return;
  }
  fmt_bytes(size, sizeof(size), juint(st, "bytes"));
  if (segments)
    snprintf(buf, sizeof(buf), "%s in %" PRIu64 " segments, %" PRIu64 " items",
             size, juint(st, "segments"), juint(st, "items"));
  else
    snprintf(buf, sizeof(buf), "%s in %" PRIu64 " files", size,
             juint(st, "files"));
  kv(key, buf);
}

static void print_storage(const json_t *sto) {
  puts("storage");
  kv("dir", jstr(sto, "dir", "?"));
  print_store(sto, "pcaps", false);
  print_store(sto, "items", true);
}

static void print_status(const json_t *st) {
  print_daemon(st);
  print_capture(json_object_get(st, "capture"));
  print_scripts(json_object_get(st, "scripts"));
  print_jobs(json_object_get(st, "jobs"));
  print_storage(json_object_get(st, "storage"));
  puts("control");
  kv_count("clients", juint(st, "control.clients"));
  kv_count("queries", juint(st, "control.queries"));
  fflush(stdout);
}

int cmd_status(int argc, char **argv) {
  ctl_opts o = {.name = "status", .usage = usage_status};
  json_t *answer = NULL;
  int rc = ctl_parse(argc, argv, 0, OPT_JSON, &o);
  if (rc >= 0)
    return rc;
  if (o.n_args)
    return ctl_usage_error(o.usage, "status: unexpected argument %s",
                           o.args[0]);
  json_t *req = json_pack("{s:s}", "cmd", "status");
  rc = req ? ctl_request(&o, req, NULL, NULL, &answer) : EXIT_RUNTIME;
  json_decref(req);
  if (rc >= 0)
    return rc;
  const json_t *st = json_object_get(answer, "status");
  if (!json_is_object(st)) {
    fprintf(stderr, "wirehook status: the daemon's answer has no status "
                    "object; is the daemon the same version?\n");
    rc = EXIT_RUNTIME;
  } else if (o.json) {
    ctl_print_json(st);
    rc = EXIT_OK;
  } else {
    print_status(st);
    rc = EXIT_OK;
  }
  json_decref(answer);
  return rc;
}
