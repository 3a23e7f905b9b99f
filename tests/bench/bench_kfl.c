/* KFL benchmark: evaluations per second of a compiled query on one item.
 *
 * usage: bench_kfl ITEMS.jsonl ITERATIONS
 * Prints the median of five runs for each query, on the first item of
 * the file (as a dissector builds it; no text is parsed per run). */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kfl.h"

static const char *const queries[] = {
    "http and response.status == 500",
    "http and response.status == 200",
    "request.headers[\"User-Agent\"].contains(\"curl\")",
    "dns and request.questions.*.name == r\".*\\.svc\\.cluster\\.local\"",
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: bench_kfl ITEMS.jsonl ITERATIONS\n");
    return 2;
  }
  json_error_t jerr;
  FILE *f = fopen(argv[1], "r");
  char line[1 << 16];
  if (!f || !fgets(line, sizeof(line), f))
    return 2;
  fclose(f);
  json_t *item = json_loads(line, 0, &jerr);
  long iters = atol(argv[2]);
  time_t t = time(NULL);
  for (size_t i = 0; i < sizeof(queries) / sizeof(*queries); i++) {
    char err[256];
    kfl_query *q = kfl_compile(queries[i], err, sizeof(err));
    if (!q) {
      fprintf(stderr, "%s: %s\n", queries[i], err);
      return 1;
    }
    double rates[5];
    long hits = 0;
    for (int r = 0; r < 5; r++) {
      double t0 = now_s();
      for (long n = 0; n < iters; n++)
        hits += kfl_eval(q, item, t);
      rates[r] = (double)iters / (now_s() - t0);
    }
    qsort(rates, 5, sizeof(double), cmp);
    printf("%-66s %10.0f evals/s (%s)\n", queries[i], rates[2],
           hits ? "true" : "false");
    kfl_free(q);
  }
  json_decref(item);
  return 0;
}
