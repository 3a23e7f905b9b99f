/* libFuzzer target: parses arbitrary input as a cron expression and asks
 * for a few fire times from starts taken from the input; every result is
 * strictly later than its start, or -1.
 * sources: the cron parser; libs: none. */
// clang-format off
// sources: daemon/jobs/cron.c
// libs:
// clang-format on
#include "config.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/cron.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  char err[128];
  cron_expr *c = cron_parse(text, err, sizeof err);
  if (!c) {
    assert(err[0] != '\0' && strchr(err, '\n') == NULL);
    free(text);
    return 0;
  }
  /* Starts: fixed ones plus one derived from the input bytes. */
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < size; i++) h = (h ^ data[i]) * 1099511628211ULL;
  int64_t starts[] = {1704067200, 951825600, -1, 4107542399, 253402300700,
                      (int64_t)(h % 8000000000ULL) - 1000000000, INT64_MAX - 5, INT64_MIN};
  if (h & 1) cron_set_anchor(c, (int64_t)(h >> 20) - (int64_t)(h >> 40));
  for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
    int64_t t = starts[s];
    for (int i = 0; i < 4; i++) {
      int64_t n = cron_next(c, t);
      assert(n == -1 || n > t);
      if (n == -1) break;
      t = n;
    }
  }
  cron_free(c);
  free(text);
  return 0;
}
