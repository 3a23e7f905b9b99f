/* `wirehook scripts reload|list` (and SIGHUP, [scripting] watch) on the
 * script thread. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cfg.h"
#include "control/serve.h"
#include "vm_internal.h"

static json_t *hooks_of(const script *s) {
  json_t *arr = json_array();
  for (int h = 0; h < VM_HOOK_COUNT; h++)
    if (s->has_hook[h])
      json_array_append_new(arr, json_string(vm_hook_names[h]));
  return arr;
}

static json_t *list(vm *v) {
  json_t *arr = json_array();
  for (size_t i = 0; v && i < v->n_scripts; i++) {
    script *s = v->scripts[i];
    json_array_append_new(arr,
                          json_pack("{s:s, s:s, s:o}", "script", s->name,
                                    "path", s->path, "hooks", hooks_of(s)));
  }
  return json_pack("{s:b, s:o}", "ok", 1, "scripts", arr);
}

json_t *serve_scripts(const serve_ctx *sc, const json_t *req, char *err,
                      size_t errcap) {
  const char *a = json_string_value(json_object_get(req, "action"));
  if (a && !strcmp(a, "list"))
    return list(sc->vm);
  if (!a || strcmp(a, "reload")) {
    snprintf(err, errcap,
             "scripts: unknown action \"%s\"; actions: reload, list",
             a ? a : "");
    return NULL;
  }
  if (!sc->vm) {
    snprintf(err, errcap, "scripts reload: the daemon runs without scripts");
    return NULL;
  }
  /* The configuration is read again for the script list and the env
   * (runtime.md §4: a changed env takes effect on reload, in every
   * script); the rest of it needs a restart. */
  wh_config fresh;
  cfg_init(&fresh);
  char why[1024];
  if (cfg_load(&fresh, sc->config_path, why, sizeof(why)) < 0) {
    snprintf(err, errcap, "scripts reload: %s; nothing was reloaded", why);
    cfg_free(&fresh);
    return NULL;
  }
  for (size_t i = 0; i < sc->n_extra_scripts; i++)
    cfg_add_script(&fresh, sc->extra_scripts[i]);
  bool env_changed = !cfg_list_equal(&sc->cfg->env, &fresh.env);
  cfg_take_scripting(sc->cfg, &fresh);
  cfg_free(&fresh);
  json_t *report =
      vm_reload(sc->vm, sc->cfg->scripts, sc->cfg->n_scripts, env_changed);
  return json_pack("{s:b, s:b, s:o}", "ok", 1, "env_changed", env_changed,
                   "scripts", report);
}
