#include "config.h"

#include "control/console_ring.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

typedef struct entry {
  char *tail; /* "\"time\":T,\"stream\":\"out\",\"line\":\"...\"}\n" */
  size_t len;
} entry;

struct console_ring {
  pthread_mutex_t lock;
  entry *slot; /* line seq lives in slot[seq % max_lines] */
  size_t max_lines, max_bytes, bytes;
  uint64_t first, end; /* the lines kept are [first, end) */
};

console_ring *console_ring_new(size_t max_lines, size_t max_bytes) {
  console_ring *r = calloc(1, sizeof(*r));
  if (!r)
    return NULL;
  r->max_lines = max_lines ? max_lines : 1;
  r->slot = calloc(r->max_lines, sizeof(entry));
  if (!r->slot) {
    free(r);
    return NULL;
  }
  r->max_bytes = max_bytes;
  r->first = r->end = 1;
  pthread_mutex_init(&r->lock, NULL);
  return r;
}

void console_ring_free(console_ring *r) {
  if (!r)
    return;
  for (uint64_t s = r->first; s < r->end; s++)
    free(r->slot[s % r->max_lines].tail);
  pthread_mutex_destroy(&r->lock);
  free(r->slot);
  free(r);
}

/* Length of the valid UTF-8 sequence at s, 0 if there is none.  Lone
 * surrogates (ED A0..BF) are not valid here; see cesu_pair. */
static size_t utf8_len(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    need = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    need = 3;
    lo = c == 0xE0 ? 0xA0 : 0x80;
    hi = c == 0xED ? 0x9F : 0xBF;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 4;
    lo = c == 0xF0 ? 0x90 : 0x80;
    hi = c == 0xF4 ? 0x8F : 0xBF;
  } else
    return 0;
  if (n < need || s[1] < lo || s[1] > hi)
    return 0;
  for (size_t i = 2; i < need; i++)
    if ((s[i] & 0xC0) != 0x80)
      return 0;
  return need;
}

/* duktape writes characters beyond the BMP as two 3-byte surrogates
 * (CESU-8); JSON wants them as one 4-byte UTF-8 character.  Returns the
 * code point of such a pair at s, 0 if there is none. */
static unsigned long cesu_pair(const unsigned char *s, size_t n) {
  if (n < 6 || s[0] != 0xED || s[1] < 0xA0 || s[1] > 0xAF ||
      (s[2] & 0xC0) != 0x80 || s[3] != 0xED || s[4] < 0xB0 ||
      (s[4] & 0xC0) != 0x80 || (s[5] & 0xC0) != 0x80)
    return 0;
  unsigned long hi = ((s[1] & 0x0Ful) << 6) | (s[2] & 0x3Ful);
  unsigned long lo = ((s[4] & 0x0Ful) << 6) | (s[5] & 0x3Ful);
  return 0x10000ul + (hi << 10) + lo;
}

static int put_cp4(strbuf *sb, unsigned long cp) {
  char u[4] = {(char)(0xF0 | (cp >> 18)), (char)(0x80 | ((cp >> 12) & 0x3F)),
               (char)(0x80 | ((cp >> 6) & 0x3F)), (char)(0x80 | (cp & 0x3F))};
  return sb_append(sb, u, 4);
}

static int put_control(strbuf *sb, unsigned char c) {
  switch (c) {
  case '\n':
    return sb_puts(sb, "\\n");
  case '\r':
    return sb_puts(sb, "\\r");
  case '\t':
    return sb_puts(sb, "\\t");
  default:
    return sb_printf(sb, "\\u%04x", c);
  }
}

static bool plain(unsigned char c) {
  return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* Appends text as the inside of a JSON string. */
static int put_escaped(strbuf *sb, const char *text, size_t n) {
  const unsigned char *s = (const unsigned char *)text;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0;) {
    size_t k = 0;
    while (i + k < n && plain(s[i + k]))
      k++;
    if (k) { /* most text: copied in one piece */
      rc = sb_append(sb, text + i, k);
      i += k;
      continue;
    }
    k = utf8_len(s + i, n - i);
    unsigned long cp;
    if (k == 1 && (s[i] == '"' || s[i] == '\\'))
      rc = sb_append(sb, s[i] == '"' ? "\\\"" : "\\\\", 2);
    else if (k == 1 && s[i] < 0x20)
      rc = put_control(sb, s[i]);
    else if (k)
      rc = sb_append(sb, text + i, k);
    else if ((cp = cesu_pair(s + i, n - i)) != 0) {
      rc = put_cp4(sb, cp);
      k = 6;
    } else {
      rc = sb_puts(sb, "\xEF\xBF\xBD"); /* U+FFFD for a bad byte */
      k = 1;
    }
    i += k;
  }
  return rc;
}

static void evict_first(console_ring *r) {
  entry *e = &r->slot[r->first % r->max_lines];
  r->bytes -= e->len;
  free(e->tail);
  e->tail = NULL;
  r->first++;
}

uint64_t console_ring_append(console_ring *r, bool is_error, const char *line,
                             size_t len, int64_t time_ms) {
  strbuf sb = STRBUF_INIT;
  if (sb_printf(&sb, "\"time\":%lld,\"stream\":\"%s\",\"line\":\"",
                (long long)time_ms, is_error ? "err" : "out") < 0 ||
      put_escaped(&sb, line, len) < 0 || sb_puts(&sb, "\"}\n") < 0) {
    sb_free(&sb);
    return 0;
  }
  pthread_mutex_lock(&r->lock);
  uint64_t seq = r->end++;
  if (r->end - r->first > r->max_lines)
    evict_first(r);
  r->slot[seq % r->max_lines] = (entry){sb.buf, sb.len};
  r->bytes += sb.len;
  while (r->bytes > r->max_bytes && r->first < seq)
    evict_first(r);
  pthread_mutex_unlock(&r->lock);
  return seq;
}

uint64_t console_ring_start(console_ring *r, bool use_after, uint64_t after,
                            uint64_t *next) {
  pthread_mutex_lock(&r->lock);
  uint64_t start = r->first;
  if (use_after && after < r->end && after + 1 > start)
    start = after + 1;
  else if (use_after && after >= r->end)
    start = r->end;
  uint64_t n = r->end - start;
  pthread_mutex_unlock(&r->lock);
  *next = start;
  return n;
}

size_t console_ring_read(console_ring *r, uint64_t *next, uint64_t *lost,
                         console_ring_fn fn, void *ctx, size_t max) {
  size_t n = 0;
  pthread_mutex_lock(&r->lock);
  if (*next < r->first) {
    *lost += r->first - *next;
    *next = r->first;
  }
  while (*next < r->end && n < max) {
    const entry *e = &r->slot[*next % r->max_lines];
    if (!fn(ctx, *next, e->tail, e->len))
      break;
    ++*next;
    n++;
  }
  pthread_mutex_unlock(&r->lock);
  return n;
}
