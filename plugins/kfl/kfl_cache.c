/* A bounded LRU cache of compiled KFL queries keyed by their text
 * (KFL_CACHE_SIZE entries; the least recently used one is evicted).
 * Compiled queries hold no time, so sharing them is safe. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "kfl_int.h"

typedef struct {
  char *text;
  kfl_query *q;
  unsigned long long used;
} entry;

static entry cache[KFL_CACHE_SIZE];
static size_t count;
static unsigned long long tick;

kfl_query *kfl_cache_get(const char *text, char *err, size_t errcap) {
  for (size_t i = 0; i < count; i++)
    if (!strcmp(cache[i].text, text)) {
      cache[i].used = ++tick;
      return cache[i].q;
    }
  kfl_query *q = kfl_compile(text, err, errcap);
  if (!q)
    return NULL;
  char *copy = strdup(text);
  if (!copy) {
    kfl_free(q);
    return NULL;
  }
  size_t slot = count;
  if (count == KFL_CACHE_SIZE) {
    slot = 0;
    for (size_t i = 1; i < count; i++)
      if (cache[i].used < cache[slot].used)
        slot = i;
    free(cache[slot].text);
    kfl_free(cache[slot].q);
  } else {
    count++;
  }
  cache[slot].text = copy;
  cache[slot].q = q;
  cache[slot].used = ++tick;
  return q;
}

void kfl_cache_clear(void) {
  for (size_t i = 0; i < count; i++) {
    free(cache[i].text);
    kfl_free(cache[i].q);
  }
  count = 0;
}

size_t kfl_cache_count(void) {
  return count;
}
