/* A growable byte buffer.  A failed allocation marks the buffer instead
 * of aborting: callers check `failed` once, where they use the result. */
#include "config.h"

#include "vendor_http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(vh_buf *b, size_t extra) {
  if (b->failed)
    return false;
  if (extra > SIZE_MAX / 2 - b->len) {
    b->failed = true;
    return false;
  }
  size_t need = b->len + extra + 1;
  if (need <= b->cap)
    return true;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) {
    b->failed = true;
    return false;
  }
  b->p = p;
  b->cap = cap;
  return true;
}

void vh_buf_add(vh_buf *b, const void *s, size_t n) {
  if (!reserve(b, n))
    return;
  if (n)
    memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

void vh_buf_str(vh_buf *b, const char *s) {
  vh_buf_add(b, s, strlen(s));
}

void vh_buf_printf(vh_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || !reserve(b, (size_t)n))
    return;
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

const char *vh_buf_cstr(const vh_buf *b) {
  return b->p ? b->p : "";
}

void vh_buf_free(vh_buf *b) {
  free(b->p);
  *b = (vh_buf){0};
}
