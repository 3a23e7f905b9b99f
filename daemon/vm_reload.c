/* Reloading scripts (`wirehook scripts reload`, SIGHUP, [scripting]
 * watch) on the script thread, between two items: flows, queued items and
 * stores are untouched because only the list of scripts changes.
 *
 * A changed file is loaded as a new script first and replaces the old one
 * only if that works, so a broken edit never takes a working script down;
 * the old version's jobs are set aside meanwhile and come back if the new
 * version fails.  An unchanged file keeps its state and jobs. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "vm_internal.h"

static script *find_by_path(vm *v, const char *path) {
  for (size_t i = 0; i < v->n_scripts; i++)
    if (v->scripts[i] && strcmp(v->scripts[i]->path, path) == 0)
      return v->scripts[i];
  return NULL;
}

static void report(json_t *out, const char *name, const char *status,
                   const char *err) {
  json_t *o = json_pack("{s:s, s:s}", "script", name, "status", status);
  if (err) /* a load failure always printed why */
    json_object_set_new(o, "error", json_string(err));
  json_array_append_new(out, o);
  log_msg(err ? LOG_WARN_ : LOG_INFO_, "scripts reload: %s %s%s%s", status,
          name, err ? ": " : "", err ? err : "");
}

static const char *base(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* Loads a new version of old (NULL: a new file).  Returns the script to
 * keep at this place in the list, or NULL. */
static script *replace(vm *v, script *old, const char *path, json_t *out) {
  job **kept = NULL;
  size_t n_kept = old ? jobs_detach_owned(v, old, &kept) : 0;
  v->last_error[0] = '\0';
  script *s = vm_script_load(v, path);
  if (!s) {
    if (n_kept)
      jobs_reattach(v, kept, n_kept);
    else
      free(kept);
    report(out, base(path), "refused", v->last_error);
    return old;
  }
  jobs_free_detached(v, kept, n_kept);
  report(out, s->name, old ? "reloaded" : "added", NULL);
  return s;
}

/* Unloads every script of the old list that the new one does not keep. */
static void drop_unkept(vm *v, script **old, size_t n_old, script **keep,
                        size_t n_keep, json_t *out) {
  for (size_t i = 0; i < n_old; i++) {
    bool kept = false;
    for (size_t k = 0; k < n_keep && !kept; k++)
      kept = keep[k] == old[i];
    if (kept)
      continue;
    bool gone = true;
    for (size_t k = 0; k < n_keep && gone; k++)
      gone = strcmp(keep[k]->path, old[i]->path) != 0;
    if (gone)
      report(out, old[i]->name, "removed", NULL);
    jobs_remove_owned(v, old[i]);
    vm_script_drop(v, old[i]);
  }
}

json_t *vm_reload(vm *v, char *const *paths, size_t n, bool all) {
  json_t *out = json_array();
  script_paths sp = {0};
  script_paths_collect(&sp, paths, n);
  script **keep = calloc(sp.n ? sp.n : 1, sizeof(script *));
  if (!keep) {
    script_paths_free(&sp);
    return out;
  }
  size_t n_keep = 0;
  for (size_t i = 0; i < sp.n; i++) {
    script *old = find_by_path(v, sp.paths[i]);
    script *s = old;
    if (old && !all && vm_file_digest(sp.paths[i]) == old->digest)
      report(out, old->name, "unchanged", NULL);
    else
      s = replace(v, old, sp.paths[i], out);
    if (s)
      keep[n_keep++] = s;
  }
  script **old = v->scripts;
  size_t n_old = v->n_scripts;
  v->scripts = keep;
  v->n_scripts = n_keep;
  v->cap_scripts = sp.n ? sp.n : 1;
  drop_unkept(v, old, n_old, keep, n_keep, out);
  free(old);
  script_paths_free(&sp);
  return out;
}
