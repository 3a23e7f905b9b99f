/* Hot path benchmark: the cost of handing one item to a hook.
 *
 * usage: bench_item ITEMS.jsonl ITERATIONS
 * Loads the first item of the file, then for each hook body below calls
 * onItemCaptured ITERATIONS times with that item and prints the median of
 * five runs in microseconds per call.  The item is the same JSON each
 * time, as it would be built by the dissector; no text is parsed. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "vm.h"
#include "vm_internal.h"

static const struct {
  const char *name, *src;
} cases[] = {
    {"empty hook", "function onItemCaptured(d) {}"},
    {"read data.response.status", "var n = 0; function onItemCaptured(d) { if "
                                  "(d.response.status === 500) n++; }"},
    {"read 5 fields",
     "var n = 0; function onItemCaptured(d) { if (d.protocol.name === 'http' "
     "&& d.request.method === 'GET' && d.response.status >= 400 && "
     "d.src.ip && d.elapsedTime > 10) n++; }"},
    {"JSON.stringify(data)", "var n = 0; function onItemCaptured(d) { n += "
                             "JSON.stringify(d).length; }"},
    {"eager: JSON decode, empty hook",
     "var n = 0; function onItemCaptured(d) { }"},
    {"eager: JSON decode, JSON.stringify(data)",
     "var n = 0; function onItemCaptured(d) { n += JSON.stringify(d).length; "
     "}"},
};

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double run_case(const char *src, json_t *item, long iters, bool eager,
                       const char *text) {
  char path[] = "/tmp/bench_item_XXXXXX.js";
  int fd = mkstemps(path, 3);
  if (fd < 0 || write(fd, src, strlen(src)) < 0)
    exit(1);
  close(fd);
  vm_options o = {.hook_timeout_ms = 100000};
  vm *v = vm_new(&o);
  vm_load_file(v, path);
  unlink(path);
  double samples[5];
  for (int r = 0; r < 5; r++) {
    uint64_t t0 = vm_now_ns();
    for (long i = 0; i < iters; i++) {
      if (eager) {
        /* What a JSON route would cost: decode the text into JS. */
        script *s = v->scripts[0];
        duk_get_global_string(s->ctx, "onItemCaptured");
        duk_push_string(s->ctx, text);
        duk_json_decode(s->ctx, -1);
        duk_pcall(s->ctx, 1);
        duk_pop(s->ctx);
      } else {
        vm_item_captured(v, item);
      }
    }
    samples[r] = (double)(vm_now_ns() - t0) / 1000.0 / (double)iters;
  }
  vm_free(v);
  qsort(samples, 5, sizeof(double), cmp_double);
  return samples[2];
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: bench_item ITEMS.jsonl ITERATIONS\n");
    return 2;
  }
  json_error_t err;
  FILE *f = fopen(argv[1], "r");
  char line[1 << 16];
  if (!f || !fgets(line, sizeof(line), f))
    return 2;
  fclose(f);
  json_t *item = json_loads(line, 0, &err);
  long iters = atol(argv[2]);
  printf("item of %zu bytes, %ld calls per run, median of 5 runs\n",
         strlen(line), iters);
  for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
    printf("%-45s %8.2f us/item\n", cases[i].name,
           run_case(cases[i].src, item, iters, i >= 4, line));
  json_decref(item);
  return 0;
}
