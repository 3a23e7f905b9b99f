/* The options every curl-based plugin takes, read once at init so that a
 * bad value refuses the plugin at start-up instead of failing a call. */
#include "config.h"

#include "vendor_http.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TIMEOUT_MS 3600000L         /* one hour */
#define MAX_RESPONSE_CAP (1024UL << 20) /* 1 GiB */

/* A whole number in [lo, hi] with an optional K/M/G suffix (when
 * suffixes is set).  Returns 0 or -1. */
static int parse_number(const char *s, unsigned long long lo,
                        unsigned long long hi, bool suffixes,
                        unsigned long long *out) {
  if (!s || *s < '0' || *s > '9')
    return -1;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno)
    return -1;
  if (suffixes && *end) {
    static const char units[] = "KMG";
    const char *u = strchr(units, *end & ~0x20);
    if (!u || end[1])
      return -1;
    for (long i = 0; i <= u - units; i++) {
      if (v > hi / 1024)
        return -1;
      v *= 1024;
    }
    end++;
  }
  if (*end || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

typedef struct reader {
  const wh_api *api;
  const wh_plugin *plugin;
  const char *name;
} reader;

static int bad(const reader *r, const char *key, const char *want) {
  /* The value is not shown: it could be a misplaced secret. */
  r->api->log(r->plugin, WH_LOG_ERROR, "[plugin.%s] %s: expected %s", r->name,
              key, want);
  return -1;
}

static int read_ms(const reader *r, const char *key, long *out) {
  unsigned long long v;
  if (parse_number(r->api->config(r->plugin, key), 1, MAX_TIMEOUT_MS, false,
                   &v) < 0)
    return bad(r, key, "milliseconds from 1 to 3600000");
  *out = (long)v;
  return 0;
}

int vh_options_load(const wh_api *api, const wh_plugin *plugin,
                    const char *name, vh_options *opt) {
  const reader r = {api, plugin, name};
  *opt = (vh_options){0};
  if (read_ms(&r, "connect_timeout_ms", &opt->connect_timeout_ms) < 0 ||
      read_ms(&r, "timeout_ms", &opt->timeout_ms) < 0)
    return -1;
  unsigned long long v;
  if (parse_number(api->config(plugin, "max_response"), 1, MAX_RESPONSE_CAP,
                   true, &v) < 0)
    return bad(&r, "max_response",
               "a size in bytes from 1 to 1G (K, M, G suffixes)");
  opt->max_response = (size_t)v;
  const char *ca = api->config(plugin, "ca_file");
  opt->ca_file = ca && *ca ? ca : NULL;
  return 0;
}

int vh_plugin_init(const wh_api *api, wh_plugin *plugin, const char *name,
                   vh_options *opt, const wh_fn_spec *fns, size_t n) {
  if (vh_options_load(api, plugin, name, opt) < 0 ||
      vh_global_init(api, plugin) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (api->register_fn(plugin, &fns[i]) < 0) {
      vh_global_cleanup();
      return -1;
    }
  return 0;
}

void vh_plugin_fini(wh_plugin *plugin) {
  (void)plugin;
  vh_global_cleanup();
}
