/* pcap.path / pcap.snapshot / pcap.nameResolutionHistory (runtime.md
 * §8.3).  Paths are data-relative and go through datadir, so neither an
 * argument nor a symlink in pcaps/ reaches outside the data directory. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <wirehook/plugin.h>

#include "datadir.h"
#include "helpers/pcap_context.h"
#include "resolve.h"
#include "store/pcap_merge.h"
#include "vm_internal.h"

#define DEFAULT_DIR "pcaps"
#define DLT_EN10MB_ 1
#define MAX_NAME_TRIES 1000

/* Declared in vm_internal.h by the VM; repeated so this file compiles
 * on its own. */
void helper_pcap_install(duk_context *ctx);

/* One pipeline per daemon: set before scripts run, cleared after. */
static resolver *the_resolver;
static pthread_mutex_t *the_lock;
static uint64_t retention_s;

void helper_pcap_set_context(resolver *names, pthread_mutex_t *lock,
                             uint64_t max_age_s) {
  the_resolver = names;
  the_lock = lock;
  retention_s = max_age_s;
}

static bool absent(duk_context *ctx, duk_idx_t i) {
  return duk_is_undefined(ctx, i) || duk_is_null(ctx, i);
}

/* A plain file name: no '/', not "", "." or "..". */
static bool plain_name(const char *s) {
  return s[0] && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* ------------------------------------------------------------------ */
/* pcap.path                                                           */

static duk_ret_t pcap_path(duk_context *ctx) {
  if (absent(ctx, 0))
    return duk_type_error(ctx, "pcap.path: stream is required");
  const char *s = duk_to_string(ctx, 0);
  if (!plain_name(s))
    return duk_type_error(ctx,
                          "pcap.path: stream \"%s\" is not a plain file "
                          "name",
                          s);
  duk_push_sprintf(ctx, DEFAULT_DIR "/%s", s);
  return 1;
}

/* ------------------------------------------------------------------ */
/* pcap.snapshot: arguments                                            */

typedef struct snap {
  char dir[PATH_MAX]; /* normalised, data-relative; "" = the root */
  char **names;       /* base names inside dir, in merge order */
  size_t n, cap;
  bool all; /* no selection: every *.pcap of dir */
  vm *v;
  char rel[PATH_MAX + NAME_MAX + 2]; /* scratch for io_name */
} snap;

static void snap_free(snap *s) {
  for (size_t i = 0; i < s->n; i++)
    free(s->names[i]);
  free(s->names);
  s->names = NULL;
  s->n = s->cap = 0;
}

static int snap_add(snap *s, const char *name) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 16;
    char **v = realloc(s->names, cap * sizeof *v);
    if (!v)
      return -1;
    s->names = v;
    s->cap = cap;
  }
  if (!(s->names[s->n] = strdup(name)))
    return -1;
  s->n++;
  return 0;
}

/* Reads the selection array at index 0. */
static void read_selection(duk_context *ctx, snap *s) {
  duk_size_t n = duk_get_length(ctx, 0);
  for (duk_size_t i = 0; i < n; i++) {
    duk_get_prop_index(ctx, 0, (duk_uarridx_t)i);
    if (!duk_is_string(ctx, -1))
      (void)duk_type_error(ctx,
                           "pcap.snapshot: selectedPcaps[%lu] is not a "
                           "string",
                           (unsigned long)i);
    const char *name = duk_get_string(ctx, -1);
    if (!plain_name(name))
      (void)duk_type_error(ctx,
                           "pcap.snapshot: selectedPcaps[%lu] \"%s\" is "
                           "not a plain file name",
                           (unsigned long)i, name);
    if (snap_add(s, name) < 0)
      (void)duk_generic_error(ctx, "pcap.snapshot: out of memory");
    duk_pop(ctx);
  }
}

/* Under duk_safe_call: ToString and array getters may throw, and the
 * caller must free what was collected. */
static duk_ret_t read_args(duk_context *ctx, void *udata) {
  snap *s = udata;
  if (duk_is_string(ctx, 0)) { /* pcap.snapshot(dir), as in the docs */
    duk_dup(ctx, 0);
    duk_replace(ctx, 1);
    duk_push_undefined(ctx);
    duk_replace(ctx, 0);
  }
  const char *dir = absent(ctx, 1) ? DEFAULT_DIR : duk_to_string(ctx, 1);
  int rc = datadir_normalize(dir, s->dir, sizeof s->dir);
  if (rc == WH_ERR_ESCAPE)
    (void)duk_generic_error(ctx,
                            "pcap.snapshot: path \"%s\" escapes the data "
                            "directory",
                            dir);
  if (rc < 0)
    (void)duk_generic_error(ctx, "pcap.snapshot: %s: %s", dir, strerror(-rc));
  s->all = absent(ctx, 0);
  if (!s->all && !duk_is_array(ctx, 0))
    (void)duk_type_error(ctx, "pcap.snapshot: selectedPcaps must be an array");
  if (!s->all)
    read_selection(ctx, s);
  return 0;
}

/* ------------------------------------------------------------------ */
/* pcap.snapshot: inputs and output                                    */

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_pcap_name(const char *name) {
  size_t len = strlen(name);
  return len > 5 && strcmp(name + len - 5, ".pcap") == 0;
}

/* Every *.pcap (not a directory) of s->dir, sorted by name.  Returns 0
 * or a negative code. */
static int list_dir(snap *s) {
  int fd = datadir_open(s->dir, O_RDONLY | O_DIRECTORY, 0);
  if (fd < 0)
    return fd;
  DIR *d = fdopendir(fd);
  if (!d) {
    int rc = -errno;
    close(fd);
    return rc;
  }
  int rc = 0;
  struct dirent *de;
  struct stat st;
  while (rc == 0 && (de = readdir(d)) != NULL) {
    if (!is_pcap_name(de->d_name) ||
        (fstatat(dirfd(d), de->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode)))
      continue;
    rc = snap_add(s, de->d_name) < 0 ? -ENOMEM : 0;
  }
  closedir(d);
  if (s->n > 1)
    qsort(s->names, s->n, sizeof *s->names, cmp_names);
  return rc;
}

static const char *io_name(void *udata, size_t i) {
  snap *s = udata;
  snprintf(s->rel, sizeof s->rel, "%s%s%s", s->dir, s->dir[0] ? "/" : "",
           s->names[i]);
  return s->rel;
}

static int io_open(void *udata, size_t i) {
  snap *s = udata;
  return datadir_open(io_name(s, i), O_RDONLY, 0);
}

static void io_warn(void *udata, const char *msg) {
  snap *s = udata;
  char line[600];
  int n = snprintf(line, sizeof line, "pcap.snapshot: %s", msg);
  if (s->v && s->v->current && n > 0)
    vm_console_line(s->v->current, false, line,
                    (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* Creates <unix-seconds>.pcap in the data root, or <s>_<n>.pcap when
 * taken.  Returns an fd or a negative code; name gets the file name. */
static int create_output(char *name, size_t cap) {
  long long now = (long long)time(NULL);
  int fd = -EEXIST;
  for (int n = 0; n < MAX_NAME_TRIES && fd == -EEXIST; n++) {
    if (n == 0)
      snprintf(name, cap, "%lld.pcap", now);
    else
      snprintf(name, cap, "%lld_%d.pcap", now, n);
    fd = datadir_open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
  }
  return fd;
}

static void remove_output(const char *name) {
  int root = datadir_fd();
  if (root >= 0)
    unlinkat(root, name, 0);
}

/* Writes the merged file; returns 0, or -1 with err set. */
static int write_snapshot(snap *s, char *name, size_t cap, char *err,
                          size_t errcap) {
  int fd = create_output(name, cap);
  FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
  if (!out) {
    snprintf(err, errcap, "cannot create %s: %s", fd >= 0 ? name : "output",
             strerror(fd >= 0 ? errno : -fd));
    if (fd >= 0) {
      close(fd);
      remove_output(name);
    }
    return -1;
  }
  pcap_merge_io io = {io_open, io_name, io_warn, s};
  int rc = pcap_merge(&io, s->n, out, DLT_EN10MB_, err, errcap);
  if (fclose(out) != 0 && rc == 0) {
    snprintf(err, errcap, "%s: %s", name, strerror(errno));
    rc = -1;
  }
  if (rc < 0)
    remove_output(name);
  return rc;
}

static duk_ret_t pcap_snapshot(duk_context *ctx) {
  snap *s = calloc(1, sizeof *s);
  if (!s)
    return duk_generic_error(ctx, "pcap.snapshot: out of memory");
  s->v = vm_of(ctx);
  duk_set_top(ctx, 2);
  if (duk_safe_call(ctx, read_args, s, 2, 1) != DUK_EXEC_SUCCESS) {
    snap_free(s);
    free(s);
    return duk_throw(ctx);
  }
  char err[512] = "", name[64];
  int rc = s->all ? list_dir(s) : 0;
  const char *dir = s->dir[0] ? s->dir : ".";
  if (rc == WH_ERR_ESCAPE)
    snprintf(err, sizeof err, "path \"%.300s\" escapes the data directory",
             dir);
  else if (rc < 0)
    snprintf(err, sizeof err, "%.300s: %s", dir, strerror(-rc));
  else {
    /* File I/O, like a plugin call: not counted against the time limit. */
    uint64_t t0;
    if (s->v)
      vm_pause_clock(s->v, &t0);
    rc = write_snapshot(s, name, sizeof name, err, sizeof err);
    if (s->v)
      vm_resume_clock(s->v, t0);
  }
  snap_free(s);
  free(s);
  if (rc < 0)
    return duk_generic_error(ctx, "pcap.snapshot: %s", err);
  duk_push_string(ctx, name);
  return 1;
}

/* ------------------------------------------------------------------ */
/* pcap.nameResolutionHistory                                          */

static duk_ret_t pcap_history(duk_context *ctx) {
  if (!the_resolver) {
    duk_push_object(ctx);
    return 1;
  }
  time_t now = time(NULL);
  time_t oldest = retention_s && (uint64_t)now > retention_s
                      ? now - (time_t)retention_s
                      : 0;
  if (the_lock)
    pthread_mutex_lock(the_lock);
  json_t *h = resolver_history_json(the_resolver, oldest);
  if (the_lock)
    pthread_mutex_unlock(the_lock);
  if (!h)
    return duk_generic_error(ctx, "pcap.nameResolutionHistory: out of memory");
  vmc_push_json(ctx, h);
  json_decref(h);
  return 1;
}

void helper_pcap_install(duk_context *ctx) {
  static const duk_function_list_entry fns[] = {
      {"path", pcap_path, 1},
      {"snapshot", pcap_snapshot, 2},
      {"nameResolutionHistory", pcap_history, 0},
      {NULL, NULL, 0}};
  duk_push_object(ctx);
  duk_put_function_list(ctx, -1, fns);
  duk_put_global_string(ctx, "pcap");
}
