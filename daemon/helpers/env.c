/* The `env` object and its keys as globals (runtime.md §4). */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "cfg.h"
#include "log.h"
#include "vm_internal.h"

static bool js_identifier(const char *k) {
  static const char *const reserved[] = {
      "break",      "case",      "catch",  "class",      "const",   "continue",
      "debugger",   "default",   "delete", "do",         "else",    "enum",
      "export",     "extends",   "false",  "finally",    "for",     "function",
      "if",         "import",    "in",     "instanceof", "new",     "null",
      "return",     "super",     "switch", "this",       "throw",   "true",
      "try",        "typeof",    "var",    "void",       "while",   "with",
      "implements", "interface", "let",    "package",    "private", "protected",
      "public",     "static",    "yield"};
  if (!(isalpha((unsigned char)k[0]) || k[0] == '_' || k[0] == '$'))
    return false;
  for (const char *p = k + 1; *p; p++)
    if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '$'))
      return false;
  for (size_t i = 0; i < sizeof(reserved) / sizeof(*reserved); i++)
    if (strcmp(k, reserved[i]) == 0)
      return false;
  return true;
}

void helper_env_install(script *s) {
  duk_context *ctx = s->ctx;
  const wh_config *cfg = s->v->opt.cfg;
  duk_push_object(ctx);
  for (size_t i = 0; cfg && i < cfg->env.n; i++) {
    const cfg_kv *kv = &cfg->env.items[i];
    duk_push_string(ctx, kv->value);
    duk_put_prop_string(ctx, -2, kv->key);
  }
  duk_put_global_string(ctx, "env");
  /* Every key also as a global, unless that would shadow something
   * (helpers are installed after env, so they are listed by name). */
  static const char *const taken[] = {"console", "test",   "env",
                                      "file",    "vendor", "kfl",
                                      "jobs",    "pcap",   "chatgpt"};
  for (size_t i = 0; cfg && i < cfg->env.n; i++) {
    const char *k = cfg->env.items[i].key;
    duk_push_global_object(ctx);
    bool shadow = duk_has_prop_string(ctx, -1, k);
    duk_pop(ctx);
    for (size_t t = 0; t < sizeof(taken) / sizeof(*taken); t++)
      shadow = shadow || strcmp(k, taken[t]) == 0;
    if (!js_identifier(k) || shadow) {
      if (!s->v->env_warned)
        log_warn("[scripting.env] %s: only reachable as env[\"%s\"] (%s)", k, k,
                 shadow ? "it would shadow a global" : "not a JS identifier");
      continue;
    }
    duk_push_string(ctx, cfg->env.items[i].value);
    duk_put_global_string(ctx, k);
  }
  s->v->env_warned = true;
}
