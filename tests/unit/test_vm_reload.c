/* Unit test of script reloads (daemon/vm_reload.c): unchanged files keep
 * their state and jobs, a changed file replaces its old version and its
 * jobs, a file that fails to compile or throws while loading is refused
 * and the old version keeps running with its jobs, a removed file takes
 * its jobs with it, a new file is added, and the load order is kept.
 * (A refused load that already took another script's tag has taken it:
 * jobs.schedule replaces a job of the same tag at once.) */
#include "config.h"

#include "check.h"
#include "vm_internal.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[PATH_MAX];

static void write_script(const char *name, const char *src) {
  char path[PATH_MAX + 64];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  if (f) {
    fputs(src, f);
    fclose(f);
  }
}

static void quiet(void *udata, bool is_error, const char *line, size_t len) {
  (void)udata, (void)is_error, (void)line, (void)len;
}

/* "a.js:reloaded b.js:unchanged ..." from a reload report. */
static const char *summary(json_t *report) {
  static char buf[1024];
  size_t i, n = 0;
  json_t *e;
  buf[0] = '\0';
  json_array_foreach(report, i, e) {
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s:%s", i ? " " : "",
                          json_string_value(json_object_get(e, "script")),
                          json_string_value(json_object_get(e, "status")));
    if (n >= sizeof(buf))
      break;
  }
  json_decref(report);
  return buf;
}

/* Tags of the job table, sorted by owner order then tag: "ja(a.js) ...". */
static const char *jobs_text(vm *v) {
  static char buf[1024];
  size_t n = 0;
  buf[0] = '\0';
  for (size_t s = 0; s < v->n_scripts; s++)
    for (size_t i = 0; i < v->jobs.n; i++)
      if (v->jobs.jobs[i]->owner == v->scripts[s])
        n +=
            (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s(%s)", n ? " " : "",
                             v->jobs.jobs[i]->tag, v->scripts[s]->name);
  return buf;
}

static const char *names(vm *v) {
  static char buf[512];
  size_t n = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < v->n_scripts; i++)
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? " " : "",
                          v->scripts[i]->name);
  return buf;
}

/* The value of global `counter` in script i after one more item. */
static int bump(vm *v, size_t i) {
  duk_context *ctx = v->scripts[i]->ctx;
  duk_get_global_string(ctx, "bump");
  duk_pcall(ctx, 0);
  int r = duk_get_int(ctx, -1);
  duk_pop(ctx);
  return r;
}

static const char *A1 =
    "var counter = 0; function bump() { return ++counter; }\n"
    "jobs.schedule('ja', '@every 1h', function () {});\n";
static const char *A2 =
    "var counter = 100; function bump() { return ++counter; }\n"
    "jobs.schedule('ja2', '@every 1h', function () {});\n";
static const char *B1 =
    "var counter = 0; function bump() { return ++counter; }\n"
    "jobs.schedule('jb', '@daily', function () {});\n";

int main(void) {
  snprintf(dir, sizeof(dir), "%s/wh-reload-XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  CHECK(mkdtemp(dir) != NULL);
  write_script("a.js", A1);
  write_script("b.js", B1);
  vm_options o = {.hook_timeout_ms = 1000, .console = quiet};
  vm *v = vm_new(&o);
  char *paths[] = {dir};
  CHECK_INT(vm_load_paths(v, paths, 1), 0);
  CHECK_STR(jobs_text(v), "ja(a.js) jb(b.js)");
  CHECK_INT(bump(v, 0), 1);
  CHECK_INT(bump(v, 1), 1);

  /* nothing changed: state and jobs stay */
  CHECK_STR(summary(vm_reload(v, paths, 1, false)),
            "a.js:unchanged b.js:unchanged");
  CHECK_INT(bump(v, 0), 2);
  CHECK_STR(jobs_text(v), "ja(a.js) jb(b.js)");

  /* a changed: new state, its old job replaced by the new one */
  write_script("a.js", A2);
  CHECK_STR(summary(vm_reload(v, paths, 1, false)),
            "a.js:reloaded b.js:unchanged");
  CHECK_INT(bump(v, 0), 101);
  CHECK_INT(bump(v, 1), 2);
  CHECK_STR(jobs_text(v), "ja2(a.js) jb(b.js)");
  CHECK_STR(names(v), "a.js b.js");

  /* a syntax error: refused with the error, the old version runs on */
  write_script("a.js", "function bump( {\n");
  json_t *r = vm_reload(v, paths, 1, false);
  const char *err =
      json_string_value(json_object_get(json_array_get(r, 0), "error"));
  CHECK(err && strstr(err, "SyntaxError") != NULL);
  CHECK_STR(summary(r), "a.js:refused b.js:unchanged");
  CHECK_INT(bump(v, 0), 102);
  CHECK_STR(jobs_text(v), "ja2(a.js) jb(b.js)");

  /* a throw after scheduling (even over b's tag): refused, jobs restored */
  write_script("a.js", "jobs.schedule('jx', '@hourly', function () {});\n"
                       "jobs.schedule('jb', '@hourly', function () {});\n"
                       "throw new Error('boom');\n");
  r = vm_reload(v, paths, 1, false);
  err = json_string_value(json_object_get(json_array_get(r, 0), "error"));
  CHECK(err && strstr(err, "boom") != NULL);
  CHECK_STR(summary(r), "a.js:refused b.js:unchanged");
  CHECK_INT(bump(v, 0), 103);
  CHECK_STR(jobs_text(v), "ja2(a.js)");

  /* the running version back in the file: nothing to do */
  write_script("a.js", A2);
  CHECK_STR(summary(vm_reload(v, paths, 1, false)),
            "a.js:unchanged b.js:unchanged");
  CHECK_INT(bump(v, 0), 104);
  /* all (the env changed): unchanged files run again too */
  CHECK_STR(summary(vm_reload(v, paths, 1, true)),
            "a.js:reloaded b.js:reloaded");
  CHECK_INT(bump(v, 0), 101);
  CHECK_INT(bump(v, 1), 1);
  CHECK_STR(jobs_text(v), "ja2(a.js) jb(b.js)");

  /* b removed with its jobs, c added after a */
  char b[PATH_MAX + 8];
  snprintf(b, sizeof(b), "%s/b.js", dir);
  CHECK(unlink(b) == 0);
  write_script("c.js", B1);
  write_script("a.js", A1);
  CHECK_STR(summary(vm_reload(v, paths, 1, false)),
            "a.js:reloaded c.js:added b.js:removed");
  CHECK_STR(names(v), "a.js c.js");
  CHECK_STR(jobs_text(v), "ja(a.js) jb(c.js)");
  CHECK_INT(bump(v, 1), 1);

  vm_free(v);
  char cmd[PATH_MAX + 16];
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0);
  return CHECK_DONE();
}
