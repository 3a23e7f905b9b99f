/* Driver for the croniter differential test: reads "expr<TAB>start"
 * lines (start in unix seconds) on stdin and prints, per line, the next
 * 20 fire times separated by spaces, or "ERROR <reason>". */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/cron.h"

int main(void) {
  char line[4096];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\r\n")] = '\0';
    char *tab = strchr(line, '\t');
    if (!tab) {
      puts("ERROR no tab");
      continue;
    }
    *tab = '\0';
    int64_t t = strtoll(tab + 1, NULL, 10);
    char err[256];
    cron_expr *c = cron_parse(line, err, sizeof err);
    if (!c) {
      printf("ERROR %s\n", err);
      continue;
    }
    for (int i = 0; i < 20; i++) {
      t = cron_next(c, t);
      printf(i ? " %lld" : "%lld", (long long)t);
      if (t < 0) break;
    }
    putchar('\n');
    cron_free(c);
  }
  return 0;
}
