/* libFuzzer target: compiles arbitrary input as a KFL query and evaluates
 * it against a fixed item (redact() may rewrite the copy); a query the
 * item matches must never be ruled out by its needles (a finding aborts).
 * sources: the KFL engine; libs: jansson and PCRE2. */
// clang-format off
// sources: plugins/kfl/kfl_lex.c plugins/kfl/kfl_macro.c plugins/kfl/kfl_parse.c plugins/kfl/kfl_query.c plugins/kfl/kfl_eval.c plugins/kfl/kfl_value.c plugins/kfl/kfl_regex.c plugins/kfl/kfl_helpers.c plugins/kfl/kfl_xml.c plugins/kfl/kfl_redact.c plugins/kfl/kfl_needles.c plugins/kfl/kfl_cache.c -Iplugins/kfl
// libs: -ljansson -lpcre2-8 -lm
// clang-format on
#include "config.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kfl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char item[] =
    "{\"id\":114905,\"model\":\"Camaro\",\"brand\":{\"name\":\"Chevrolet\"},"
    "\"year\":2021,\"x\":1234567.5,\"n\":null,\"t\":true,"
    "\"protocol\":{\"abbr\":\"HTTP\",\"name\":\"http\"},"
    "\"request\":{\"path\":[\"api\",\"v1\",\"example\"],"
    "\"headers\":{\"User-Agent\":\"curl/8\",\"e\":{\"x\":\"y\"}}},"
    "\"response\":{\"status\":500,\"header\":[-1,-2,-3],"
    "\"body\":"
    "\"eyJicmFuZCI6eyJuYW1lIjoiQ2hldnJvbGV0In0sIm1vZGVsIjoiQ2FtYXJvIn0=\","
    "\"xml\":\"<a><b>1</b><b>2</b><c x='1'>t</c></a>\"}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  char err[256];
  kfl_query *q = kfl_compile(text, err, sizeof err);
  if (q) {
    json_t *d = json_loads(item, 0, NULL);
    char *line = json_dumps(d, JSON_COMPACT); /* as the item store writes */
    if (kfl_eval(q, d, 1700000000) && line &&
        !kfl_may_match_text(q, line, strlen(line)))
      abort();
    free(line);
    (void)kfl_limit(q);
    json_t *r = kfl_redact(q, d);
    json_decref(r);
    json_decref(d);
    kfl_free(q);
  }
  char *x = kfl_macro_expand_text(text);
  free(x);
  free(text);
  return 0;
}
