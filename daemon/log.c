#include "config.h"

#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int min_level = LOG_INFO_;

void log_set_level(int level) {
  min_level = level;
}
int log_get_level(void) {
  return min_level;
}

static const char *const level_names[] = {"debug", "info", "warning", "error"};

void log_vmsg(int level, const char *prefix, const char *fmt, va_list ap) {
  if (level < min_level)
    return;
  if (level < LOG_DEBUG_ || level > LOG_ERROR_)
    level = LOG_ERROR_;
  /* One fprintf per line part under the stdio lock keeps lines whole when
   * several threads log. */
  flockfile(stderr);
  fprintf(stderr, "wirehook: %s: ", level_names[level]);
  if (prefix)
    fprintf(stderr, "%s: ", prefix);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  funlockfile(stderr);
}

void log_msg(int level, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  log_vmsg(level, NULL, fmt, ap);
  va_end(ap);
}

void log_console_line(bool is_error, const char *line, size_t len) {
  FILE *f = is_error ? stderr : stdout;
  flockfile(f);
  fwrite(line, 1, len, f);
  fputc('\n', f);
  fflush(f);
  funlockfile(f);
}
