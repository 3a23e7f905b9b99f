/* The "kfl.filter" service as the core will use it for queries: loaded
 * through the real plugin host from the built kfl plugin, found by name,
 * and used to compile, match (with redaction and limit) and free. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cfg.h"
#include "kfl_service.h"
#include "plugin.h"

static json_t *item(int status, const char *path) {
  return json_pack("{s:{s:s}, s:{s:s, s:{s:s}}, s:{s:i}}", "protocol", "abbr",
                   "HTTP", "request", "path", path, "headers", "Authorization",
                   "Bearer secret", "response", "status", status);
}

int main(void) {
  const char *top = getenv("WH_TOP_BUILDDIR");
  char so[4096];
  snprintf(so, sizeof(so), "%s/plugins/kfl/.libs/kfl.so", top ? top : ".");
  wh_config cfg;
  cfg_init(&cfg);
  plugin_host *h = plugin_host_new(&cfg, "/tmp", "node", "", "1");
  CHECK(plugin_host_load_file(h, so) == 0);
  size_t size = 0;
  const kfl_filter_iface *k = plugin_host_service(h, KFL_FILTER_SERVICE, &size);
  CHECK(k != NULL);
  if (!k) {
    plugin_host_free(h);
    cfg_free(&cfg);
    return CHECK_DONE();
  }
  CHECK(size >= sizeof(kfl_filter_iface) &&
        k->size >= sizeof(kfl_filter_iface));

  char err[256] = "";
  CHECK(k->compile("http and ?", err, sizeof(err)) == NULL);
  CHECK_STR(err, "1:10: unexpected token \"?\"");

  kfl_filter *f = k->compile("http and response.status == 500 and "
                             "redact(\"request.headers.Authorization\")"
                             " and limit(5)",
                             err, sizeof(err));
  CHECK(f != NULL);
  CHECK_INT(k->limit(f), 5);
  json_t *a = item(500, "/a"), *b = item(200, "/b"), *out = NULL;
  CHECK(k->match(f, a, &out));
  CHECK(out != NULL && out != a);
  CHECK_STR(json_string_value(json_object_get(
                json_object_get(json_object_get(out, "request"), "headers"),
                "Authorization")),
            "[REDACTED]");
  /* The stored item itself is never changed. */
  CHECK_STR(json_string_value(json_object_get(
                json_object_get(json_object_get(a, "request"), "headers"),
                "Authorization")),
            "Bearer secret");
  json_decref(out);
  CHECK(!k->match(f, b, NULL));
  k->free(f);

  f = k->compile("", err, sizeof(err)); /* empty query: everything */
  CHECK(f != NULL && k->match(f, b, NULL) && k->limit(f) == -1);
  k->free(f);
  json_decref(a);
  json_decref(b);
  plugin_host_free(h);
  cfg_free(&cfg);
  return CHECK_DONE();
}
