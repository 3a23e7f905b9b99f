/* The item store's reader: segments newest first, each read backwards in
 * chunks with pread, lines from last to first.
 *
 * pread rather than mmap: a segment cut short under the reader (by hand,
 * or another process) must end the scan of that file, not raise SIGBUS.
 * Memory stays bounded by a chunk plus the longest line kept
 * (ITEM_LINE_MAX); a longer line, a final line without its newline, and
 * lines that cannot be a JSON object are skipped. */
#include "config.h"

#include "store/item_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "store/item_segments.h"

#define SCAN_CHUNK (1u << 20)
#define TS_KEY "\"timestamp\":"
#define TS_KEY_LEN (sizeof TS_KEY - 1)
#define TS_DIGITS_MAX 18 /* keeps the value below 2^63 */

typedef struct scan {
  item_visit fn;
  void *udata;
  int64_t since;
  int64_t lines;
  bool stop;
  char *buf; /* chunk in front, then the tail of the line it cuts */
  size_t cap;
} scan;

/* The first "timestamp":<digits> in the line.  The store writes items
 * with jansson, so the key is in exactly this form, and in the item
 * model no object before the top-level key holds one. */
static int64_t line_ts(const char *p, size_t len) {
  const char *end = p + len;
  for (const char *q = p;
       (q = memmem(q, (size_t)(end - q), TS_KEY, TS_KEY_LEN)) != NULL;) {
    q += TS_KEY_LEN;
    int64_t v = 0;
    int digits = 0;
    for (; q < end && *q >= '0' && *q <= '9' && digits < TS_DIGITS_MAX;
         q++, digits++)
      v = v * 10 + (*q - '0');
    if (digits)
      return v;
  }
  return 0;
}

static void emit(scan *c, const char *p, size_t len) {
  if (len < 2 || len > ITEM_LINE_MAX || p[0] != '{' || p[len - 1] != '}')
    return;
  int64_t ts = line_ts(p, len);
  if (c->since && ts < c->since)
    return;
  c->lines++;
  if (!c->fn(c->udata, p, len, ts))
    c->stop = true;
}

static int reserve(scan *c, size_t need) {
  if (need <= c->cap)
    return 0;
  size_t cap = c->cap ? c->cap : SCAN_CHUNK;
  while (cap < need)
    cap *= 2;
  char *b = realloc(c->buf, cap);
  if (!b)
    return -ENOMEM;
  c->buf = b;
  c->cap = cap;
  return 0;
}

/* 0, or -errno; -ENODATA when the file is shorter than it was. */
static int read_at(int fd, char *buf, size_t n, uint64_t off) {
  while (n > 0) {
    ssize_t r = pread(fd, buf, n, (off_t)off);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      return r < 0 ? -errno : -ENODATA;
    buf += r;
    n -= (size_t)r;
    off += (uint64_t)r;
  }
  return 0;
}

/* Visits the whole lines in buf[0, end) that follow its first newline,
 * last to first; returns the length of what precedes that newline. */
static size_t emit_inner(scan *c, size_t end) {
  const char *q;
  while (!c->stop && (q = memrchr(c->buf, '\n', end)) != NULL) {
    size_t start = (size_t)(q - c->buf) + 1;
    emit(c, q + 1, end - start);
    end = start - 1;
  }
  return end;
}

/* Reads [0, size) of fd backwards.  tl bytes at the front of the buffer
 * are the known end of the line being assembled; skip says that line is
 * unwanted (the unfinished last one, or one grown past ITEM_LINE_MAX). */
static int scan_file(scan *c, int fd, uint64_t size) {
  uint64_t lo = size;
  size_t tl = 0;
  bool skip = true;
  while (lo > 0 && !c->stop) {
    size_t k = lo < SCAN_CHUNK ? (size_t)lo : SCAN_CHUNK;
    if (reserve(c, k + tl) < 0)
      return -ENOMEM;
    memmove(c->buf + k, c->buf, tl);
    int rc = read_at(fd, c->buf, k, lo - k);
    if (rc < 0)
      return rc;
    lo -= k;
    const char *nl = memrchr(c->buf, '\n', k);
    if (!nl) {
      tl = skip ? 0 : tl + k;
      if (tl > ITEM_LINE_MAX) {
        skip = true;
        tl = 0;
      }
      continue;
    }
    size_t start = (size_t)(nl - c->buf) + 1;
    if (!skip)
      emit(c, nl + 1, k + tl - start);
    skip = false;
    tl = emit_inner(c, start - 1);
  }
  if (lo == 0 && !skip && !c->stop)
    emit(c, c->buf, tl);
  return 0;
}

/* Segments that vanish (retention) are skipped quietly; one that cannot
 * be read is skipped with a warning, the scan goes on. */
static int scan_segment(scan *c, int dirfd, const seg_info *e) {
  int fd =
      openat(dirfd, e->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT)
      log_warn("item store: cannot read " ITEMS_DIR "/%s: %s; skipped (check "
               "its permissions)",
               e->name, strerror(errno));
    return 0;
  }
  struct stat st;
  int rc = 0;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    uint64_t size = (uint64_t)st.st_size;
    if (e->this_run && e->size < size)
      size = e->size; /* the writer may be past what it published */
    rc = scan_file(c, fd, size);
  }
  close(fd);
  if (rc < 0 && rc != -ENOMEM) {
    if (rc != -ENODATA)
      log_warn("item store: cannot read " ITEMS_DIR "/%s: %s; skipped", e->name,
               strerror(-rc));
    rc = 0;
  }
  return rc;
}

int64_t item_store_scan(item_store *s, int64_t since_ms, item_visit fn,
                        void *udata, char *err, size_t errcap) {
  seg_list *l = item_store_segments(s);
  scan c = {.fn = fn, .udata = udata, .since = since_ms};
  seg_info e;
  uint64_t below = UINT64_MAX;
  int rc = 0;
  while (rc == 0 && !c.stop && segs_prev(l, below, &e)) {
    below = e.id;
    if (since_ms && e.max_ts < since_ms)
      continue;
    rc = scan_segment(&c, l->dirfd, &e);
  }
  free(c.buf);
  if (rc < 0) {
    snprintf(err, errcap, "item store: scan: %s", strerror(-rc));
    return -1;
  }
  return c.lines;
}
