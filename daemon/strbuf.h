/* A growable byte buffer, always NUL-terminated. */
#ifndef WH_STRBUF_H
#define WH_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
  char *buf; /* NUL-terminated; NULL until the first append */
  size_t len, cap;
} strbuf;

#define STRBUF_INIT                                                            \
  { NULL, 0, 0 }

/* Each returns 0, or -1 when memory runs out (the buffer is unchanged). */
int sb_append(strbuf *sb, const char *data, size_t len);
int sb_puts(strbuf *sb, const char *s);
int sb_printf(strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int sb_vprintf(strbuf *sb, const char *fmt, va_list ap);
/* Content as a C string ("" when empty); owned by sb. */
const char *sb_str(const strbuf *sb);
void sb_reset(strbuf *sb);
void sb_free(strbuf *sb);

#endif
