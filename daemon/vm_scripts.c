/* Loading scripts: one thread with a fresh global environment per file. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "vm_internal.h"

#define SCRIPT_MAX_BYTES (16u * 1024 * 1024)

/* Reads a whole script file; *out is freed by the caller. */
static int read_source(const char *path, char **out, size_t *len, char *err,
                       size_t errcap) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errcap, "%s", strerror(errno));
    return -1;
  }
  char *buf = malloc(SCRIPT_MAX_BYTES + 1);
  size_t n = buf ? fread(buf, 1, SCRIPT_MAX_BYTES + 1, f) : 0;
  int bad = !buf || ferror(f);
  fclose(f);
  if (bad || n > SCRIPT_MAX_BYTES) {
    snprintf(err, errcap, "%s",
             bad ? "cannot read the file" : "larger than 16 MiB");
    free(buf);
    return -1;
  }
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return 0;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static script *new_script(vm *v, const char *path) {
  script *s = calloc(1, sizeof(*s));
  if (!s)
    return NULL;
  s->name = strdup(base_name(path));
  s->path = strdup(path);
  s->v = v;
  snprintf(s->stash_key, sizeof(s->stash_key), "s%u", v->next_stash_id++);
  /* The thread lives in the heap stash so the GC keeps it. */
  duk_push_heap_stash(v->heap);
  duk_push_thread_new_globalenv(v->heap);
  s->ctx = duk_get_context(v->heap, -1);
  duk_put_prop_string(v->heap, -2, s->stash_key);
  duk_pop(v->heap);
  if (!s->name || !s->path) {
    free(s->name);
    free(s->path);
    free(s);
    return NULL;
  }
  return s;
}

void vm_script_drop(vm *v, script *s) {
  duk_push_heap_stash(v->heap);
  duk_del_prop_string(v->heap, -1, s->stash_key);
  duk_pop(v->heap);
  free(s->name);
  free(s->path);
  free(s);
}

static void install_helpers(script *s) {
  helper_console_install(s->ctx);
  helper_test_install(s->ctx);
  helper_env_install(s);
  helper_pcap_install(s->ctx);
  helper_jobs_install(s->ctx);
  helper_plugins_install(s);
}

static void find_hooks(script *s) {
  for (int h = 0; h < VM_HOOK_COUNT; h++) {
    duk_get_global_string(s->ctx, vm_hook_names[h]);
    s->has_hook[h] = duk_is_callable(s->ctx, -1);
    duk_pop(s->ctx);
  }
}

/* Compiles src as a program on ctx; leaves the function or the error. */
static int compile(duk_context *ctx, const char *name, const char *src,
                   size_t len) {
  duk_push_string(ctx, name);
  return duk_pcompile_lstring_filename(ctx, 0, src, len);
}

int vm_script_add(vm *v, script *s) {
  if (v->n_scripts == v->cap_scripts) {
    size_t cap = v->cap_scripts ? v->cap_scripts * 2 : 8;
    script **p = realloc(v->scripts, cap * sizeof(*p));
    if (!p)
      return -1;
    v->scripts = p;
    v->cap_scripts = cap;
  }
  v->scripts[v->n_scripts++] = s;
  return 0;
}

/* FNV-1a of the source: a reload skips a file whose digest is unchanged. */
static uint64_t digest_of(const char *src, size_t len) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)src[i]) * 1099511628211ULL;
  return h;
}

script *vm_script_load(vm *v, const char *path) {
  char err[512];
  char *src;
  size_t len;
  script *s = new_script(v, path);
  if (!s)
    return NULL;
  if (read_source(path, &src, &len, err, sizeof(err)) < 0) {
    char line[1024];
    snprintf(line, sizeof(line), "load: %s: %s", path, err);
    vm_console_line(s, true, line, strlen(line));
    vm_script_drop(v, s);
    return NULL;
  }
  s->digest = digest_of(src, len);
  install_helpers(s);
  int rc = compile(s->ctx, s->name, src, len);
  free(src);
  if (rc != 0) {
    /* A syntax error: report it like any other load failure. */
    char line[2048];
    snprintf(line, sizeof(line), "load: %s", duk_safe_to_string(s->ctx, -1));
    vm_console_line(s, true, line, strlen(line));
    duk_pop(s->ctx);
    vm_script_drop(v, s);
    return NULL;
  }
  rc = vm_call(s, 0, "load:");
  duk_pop(s->ctx);
  if (rc < 0) {
    jobs_remove_owned(v, s);
    vm_script_drop(v, s);
    return NULL;
  }
  find_hooks(s);
  log_debug("loaded script %s", path);
  return s;
}

uint64_t vm_file_digest(const char *path) {
  char err[512], *src;
  size_t len;
  if (read_source(path, &src, &len, err, sizeof(err)) < 0)
    return 0;
  uint64_t d = digest_of(src, len);
  free(src);
  return d;
}

int vm_load_file(vm *v, const char *path) {
  script *s = vm_script_load(v, path);
  if (!s)
    return -1;
  if (vm_script_add(v, s) < 0) {
    vm_script_drop(v, s);
    return -1;
  }
  return 0;
}

int vm_check_file(vm *v, const char *path, char *err, size_t errcap) {
  char *src;
  size_t len;
  char why[512];
  if (read_source(path, &src, &len, why, sizeof(why)) < 0) {
    snprintf(err, errcap, "%s: %s", path, why);
    return -1;
  }
  duk_context *ctx = v->heap;
  int rc = compile(ctx, base_name(path), src, len);
  free(src);
  if (rc != 0)
    snprintf(err, errcap, "%s: %s", path, duk_safe_to_string(ctx, -1));
  duk_pop(ctx);
  return rc != 0 ? -1 : 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with_js(const char *name) {
  size_t n = strlen(name);
  return n > 3 && strcmp(name + n - 3, ".js") == 0;
}

static int push_path(script_paths *sp, const char *path) {
  if (sp->n == sp->cap) {
    size_t cap = sp->cap ? sp->cap * 2 : 16;
    char **p = realloc(sp->paths, cap * sizeof(*p));
    if (!p)
      return -1;
    sp->paths = p;
    sp->cap = cap;
  }
  if (!(sp->paths[sp->n] = strdup(path)))
    return -1;
  sp->n++;
  return 0;
}

/* Adds the *.js files directly inside dir, in byte order of names. */
static void collect_dir(script_paths *sp, const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    log_error("[scripting] scripts: %s: %s", dir, strerror(errno));
    sp->failures++;
    return;
  }
  script_paths names = {0};
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (e->d_name[0] != '.' && ends_with_js(e->d_name))
      push_path(&names, e->d_name);
  closedir(d);
  qsort(names.paths, names.n, sizeof(char *), cmp_str);
  for (size_t i = 0; i < names.n; i++) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, names.paths[i]);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
      push_path(sp, path);
  }
  script_paths_free(&names);
}

void script_paths_collect(script_paths *sp, char *const *paths, size_t n) {
  for (size_t i = 0; i < n; i++) {
    struct stat st;
    if (stat(paths[i], &st) < 0) {
      log_error("script %s: %s; check [scripting] scripts or -s", paths[i],
                strerror(errno));
      sp->failures++;
    } else if (S_ISDIR(st.st_mode)) {
      collect_dir(sp, paths[i]);
    } else {
      push_path(sp, paths[i]);
    }
  }
}

void script_paths_free(script_paths *sp) {
  for (size_t i = 0; i < sp->n; i++)
    free(sp->paths[i]);
  free(sp->paths);
  *sp = (script_paths){0};
}

int vm_load_paths(vm *v, char *const *paths, size_t n) {
  script_paths sp = {0};
  script_paths_collect(&sp, paths, n);
  int failures = sp.failures;
  for (size_t i = 0; i < sp.n; i++)
    failures += vm_load_file(v, sp.paths[i]) < 0;
  script_paths_free(&sp);
  return failures;
}
