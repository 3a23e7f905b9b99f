/* The `kfl` plugin: kfl.match / kfl.validate for scripts (runtime.md
 * §8.5) and the "kfl.filter" service for the core. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <wirehook/plugin.h>

#include "kfl.h"
#include "kfl_service.h"

static const wh_api *api;
static wh_plugin *self;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void warn(const char *msg) {
  if (api && self)
    api->log(self, WH_LOG_WARN, "%s", msg);
}

static int kfl_match_fn(wh_call *call, json_t *const *argv, size_t argc,
                        json_t **result) {
  (void)argc;
  char err[256];
  kfl_query *q = kfl_cache_get(json_string_value(argv[0]), err, sizeof err);
  if (!q)
    return api->throw_error(call, "%s", err);
  /* redact() rewrites the record, which the script and other scripts
   * share: then work on a copy.  Other queries only read it (the copy
   * would cost more than the evaluation). */
  json_t *data =
      kfl_rewrites(q) ? json_deep_copy(argv[1]) : json_incref(argv[1]);
  bool r = kfl_eval_ms(q, data ? data : json_null(), now_ms());
  json_decref(data);
  *result = json_boolean(r);
  return WH_OK;
}

static int kfl_validate_fn(wh_call *call, json_t *const *argv, size_t argc,
                           json_t **result) {
  (void)argc;
  char err[256];
  kfl_query *q = kfl_cache_get(json_string_value(argv[0]), err, sizeof err);
  if (!q && !(argv[1] && json_is_true(argv[1])))
    api->console(call, 1, "%s", err);
  *result = json_boolean(q != NULL);
  return WH_OK;
}

/* ---- the kfl.filter service ---- */
static kfl_filter *svc_compile(const char *text, char *err, size_t errcap) {
  return (kfl_filter *)kfl_compile(text, err, errcap);
}

static bool svc_match(kfl_filter *f, const json_t *item,
                      json_t **redacted_out) {
  kfl_query *q = (kfl_query *)f;
  /* Evaluation only changes the item through redact(): without one the
   * item itself serves (the copy was most of a query's time). */
  json_t *copy =
      kfl_rewrites(q) ? json_deep_copy(item) : json_incref((json_t *)item);
  bool r = kfl_eval_ms(q, copy ? copy : json_null(), now_ms());
  if (redacted_out)
    *redacted_out = copy;
  else
    json_decref(copy);
  return r;
}

static bool svc_may_match_text(const kfl_filter *f, const char *text,
                               size_t len) {
  return kfl_may_match_text((const kfl_query *)f, text, len);
}

static long svc_limit(const kfl_filter *f) {
  return kfl_limit((const kfl_query *)f);
}

static void svc_free(kfl_filter *f) {
  kfl_free((kfl_query *)f);
}

static const kfl_filter_iface service = {
    sizeof(kfl_filter_iface), svc_compile, svc_match, svc_limit, svc_free,
    svc_may_match_text,
};

static const wh_fn_spec fns[] = {
    {"kfl.match", "query:s data:J", kfl_match_fn, NULL,
     "evaluates a KFL query against a value; returns a boolean"},
    {"kfl.validate", "query:s quiet:J", kfl_validate_fn, NULL,
     "checks a KFL query's syntax; prints the error unless quiet"},
};

static int init(wh_plugin *plugin, const wh_api *host) {
  api = host;
  self = plugin;
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
    if (api->register_fn(plugin, &fns[i]) < 0)
      return -1;
  if (api->register_service(plugin, KFL_FILTER_SERVICE, &service,
                            sizeof service) < 0)
    return -1;
  kfl_warn_hook = warn;
  api->log(plugin, WH_LOG_DEBUG, "regex engine: %s", kfl_regex_engine());
  return 0;
}

static void fini(wh_plugin *plugin) {
  (void)plugin;
  kfl_cache_clear();
  kfl_warn_hook = NULL;
}

WH_EXPORT const wh_plugin_info wirehook_plugin_info = {
    .abi_major = WH_ABI_MAJOR,
    .abi_minor = WH_ABI_MINOR,
    .name = "kfl",
    .version = PACKAGE_VERSION,
    .description = "KFL filter language: kfl.match, kfl.validate, kfl.filter",
    .config_keys = NULL,
    .init = init,
    .fini = fini,
};
