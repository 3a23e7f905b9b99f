#include "config.h"

#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(strbuf *sb, size_t extra) {
  if (sb->len + extra + 1 <= sb->cap)
    return 0;
  size_t cap = sb->cap ? sb->cap : 64;
  while (cap < sb->len + extra + 1) {
    if (cap > ((size_t)-1) / 2)
      return -1;
    cap *= 2;
  }
  char *p = realloc(sb->buf, cap);
  if (!p)
    return -1;
  sb->buf = p;
  sb->cap = cap;
  return 0;
}

int sb_append(strbuf *sb, const char *data, size_t len) {
  if (grow(sb, len) < 0)
    return -1;
  if (len)
    memcpy(sb->buf + sb->len, data, len);
  sb->len += len;
  sb->buf[sb->len] = '\0';
  return 0;
}

int sb_puts(strbuf *sb, const char *s) {
  return sb_append(sb, s, strlen(s));
}

int sb_vprintf(strbuf *sb, const char *fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(NULL, 0, fmt, copy);
  va_end(copy);
  if (n < 0 || grow(sb, (size_t)n) < 0)
    return -1;
  vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
  sb->len += (size_t)n;
  return 0;
}

int sb_printf(strbuf *sb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = sb_vprintf(sb, fmt, ap);
  va_end(ap);
  return rc;
}

const char *sb_str(const strbuf *sb) {
  return sb->buf ? sb->buf : "";
}

void sb_reset(strbuf *sb) {
  sb->len = 0;
  if (sb->buf)
    sb->buf[0] = '\0';
}

void sb_free(strbuf *sb) {
  free(sb->buf);
  sb->buf = NULL;
  sb->len = sb->cap = 0;
}
