/* The item store's writer and its API (the reader is item_scan.c, the
 * segment list item_segments.c, the JSON encoding item_line.c).
 *
 * Appends go to a buffer of complete lines; a flush writes it with
 * pwrite at the end of what is already visible and only then publishes
 * the new size.  Readers never read past the published size, so they see
 * whole lines only, and a write cut short (ENOSPC) is rolled back to the
 * last whole line and overwritten by the next one. */
#include "config.h"

#include "store/item_store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wirehook/plugin.h>

#include "datadir.h"
#include "log.h"
#include "store/item_line.h"
#include "store/item_segments.h"

#define DEFAULT_SEGMENT_SIZE (16u << 20)
/* The buffer is written out when it holds this much; one huge item may
 * grow it, and it shrinks back after. */
#define BUF_CAP (256u << 10)
#define ERROR_LOG_EVERY_S 60
#define OPEN_TRIES 1000 /* names taken by strangers before giving up */

struct item_store {
  item_store_opts o;
  seg_list segs;
  /* The writer's own state (one thread). */
  int fd;          /* the open segment, -1 between segments */
  uint64_t seg_id; /* its entry */
  char seg_name[SEG_NAME_CAP];
  uint64_t committed; /* bytes visible in it */
  uint64_t next_seq;
  char *buf; /* complete lines not yet written */
  size_t len, cap;
  size_t buf_items;
  int64_t buf_first_ts, buf_max_ts;
  time_t last_log;
  uint64_t unlogged; /* items lost since the last message */
  atomic_uint_fast64_t items, errors;
};

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Errors of the writer are logged at most once a minute, with the count
 * of items lost since the previous message. */
static void lost(item_store *s, uint64_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void lost(item_store *s, uint64_t n, const char *fmt, ...) {
  atomic_fetch_add(&s->errors, n);
  s->unlogged += n;
  time_t now = time(NULL);
  if (s->last_log && now - s->last_log < ERROR_LOG_EVERY_S)
    return;
  s->last_log = now;
  char what[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  log_error("item store: %s; %" PRIu64 " item(s) lost since the last "
            "message",
            what, s->unlogged);
  s->unlogged = 0;
}

/* name: the segment written to, or NULL when none could be created. */
static void lost_write(item_store *s, uint64_t n, int err, const char *name) {
  lost(s, n,
       "cannot %s %s/" ITEMS_DIR "%s%s: %s (free space there or lower "
       "the [storage] limits)",
       name ? "write" : "create a segment in", datadir_path(), name ? "/" : "",
       name ? name : "", strerror(err));
}

/* Refusals of one item: the caller gave something that cannot be
 * stored. */
static void refused(item_store *s, int rc) {
  if (rc == -E2BIG)
    lost(s, 1,
         "an item is longer than %u MiB as JSON; not stored (lower "
         "[capture] max_body)",
         ITEM_LINE_MAX >> 20);
  else if (rc == -EINVAL)
    lost(s, 1,
         "an item is not a JSON object, nests too deep or holds text "
         "that is not UTF-8; not stored (a bug in what made it: please "
         "report it)");
  else
    lost(s, 1, "cannot store an item: %s", strerror(-rc));
}

/* ------------------------------------------------------------------ */
/* Segments                                                            */

static int open_segment(item_store *s) {
  char name[SEG_NAME_CAP];
  for (int i = 0; i < OPEN_TRIES; i++) {
    seg_name(s->buf_first_ts, s->next_seq++, name, sizeof name);
    int fd = openat(s->segs.dirfd, name,
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST)
      continue;
    if (fd < 0)
      return -errno;
    s->seg_id = segs_add_open(&s->segs, name, time(NULL));
    if (!s->seg_id) {
      close(fd);
      unlinkat(s->segs.dirfd, name, 0);
      return -ENOMEM;
    }
    s->fd = fd;
    s->committed = 0;
    memcpy(s->seg_name, name, sizeof name);
    return 0;
  }
  return -EEXIST;
}

static void close_segment(item_store *s) {
  if (s->fd < 0)
    return;
  /* A write cut short may have left a partial line past the end. */
  if (ftruncate(s->fd, (off_t)s->committed) < 0 && errno != EINVAL)
    log_warn("item store: cannot trim a segment: %s", strerror(errno));
  close(s->fd);
  s->fd = -1;
  segs_close(&s->segs, s->seg_id);
}

/* ------------------------------------------------------------------ */
/* The buffer                                                          */

static void buf_reset(item_store *s) {
  s->len = 0;
  s->buf_items = 0;
  s->buf_max_ts = INT64_MIN;
}

static size_t count_lines(const char *p, size_t n) {
  size_t lines = 0;
  for (const char *q; n && (q = memchr(p, '\n', n));
       n -= (size_t)(q - p) + 1, p = q + 1)
    lines++;
  return lines;
}

/* Writes what it can; returns the bytes written and sets *err. */
static size_t write_all(item_store *s, int *err) {
  size_t done = 0;
  *err = 0;
  while (done < s->len) {
    ssize_t w = pwrite(s->fd, s->buf + done, s->len - done,
                       (off_t)(s->committed + done));
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      *err = w < 0 ? errno : ENOSPC;
      break;
    }
    done += (size_t)w;
  }
  return done;
}

/* On a short write, only the whole lines written count; the rest of the
 * buffer is lost, and the partial line is cut off (or overwritten by the
 * next write, which starts at the committed end). */
static void flush_buffer(item_store *s) {
  if (!s->len)
    return;
  int err = 0;
  if (s->fd < 0 && (err = -open_segment(s)) != 0) {
    lost_write(s, s->buf_items, err, NULL);
    buf_reset(s);
    return;
  }
  size_t done = write_all(s, &err);
  size_t whole = done, written = s->buf_items;
  if (err) {
    const char *nl = done ? memrchr(s->buf, '\n', done) : NULL;
    whole = nl ? (size_t)(nl - s->buf) + 1 : 0;
    written = count_lines(s->buf, whole);
    if (ftruncate(s->fd, (off_t)(s->committed + whole)) < 0) {
      /* harmless: the next write starts at the committed end */
    }
  }
  s->committed += whole;
  if (whole)
    segs_grow(&s->segs, s->seg_id, s->committed, s->buf_max_ts, time(NULL));
  atomic_fetch_add(&s->items, written);
  if (err)
    lost_write(s, s->buf_items - written, err, s->seg_name);
  buf_reset(s);
  if (s->cap > 4 * BUF_CAP) {
    free(s->buf);
    s->buf = NULL;
    s->cap = 0;
  }
}

/* ------------------------------------------------------------------ */
/* The API                                                             */

/* mkdir in the data root's own fd, then reopen through datadir: an items
 * that is a symlink leading out of the data directory is refused. */
static int open_items_dir(bool read_only) {
  int root = datadir_fd();
  if (root < 0)
    return -EBADF;
  if (!read_only && mkdirat(root, ITEMS_DIR, 0755) < 0 && errno != EEXIST)
    return -errno;
  return datadir_open(ITEMS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
}

static int store_init(item_store *s) {
  int dfd = open_items_dir(s->o.read_only);
  if (dfd < 0)
    return dfd;
  int rc = segs_init(&s->segs, dfd);
  if (rc < 0) {
    close(dfd);
    s->segs.dirfd = -1;
    return rc;
  }
  uint64_t max_seq = 0;
  rc = segs_load(&s->segs, &max_seq);
  s->next_seq = max_seq + 1;
  return rc;
}

item_store *item_store_open(const item_store_opts *o, char *err,
                            size_t errcap) {
  item_store *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, errcap, "item store: out of memory");
    return NULL;
  }
  s->o = *o;
  if (!s->o.segment_size)
    s->o.segment_size = DEFAULT_SEGMENT_SIZE;
  s->fd = -1;
  s->segs.dirfd = -1;
  buf_reset(s);
  int rc = store_init(s);
  if (rc < 0) {
    snprintf(err, errcap, "item store: %s/" ITEMS_DIR ": %s", datadir_path(),
             rc == WH_ERR_ESCAPE ? "escapes the data directory"
                                 : strerror(-rc));
    if (s->segs.dirfd >= 0)
      segs_free(&s->segs);
    free(s->buf);
    free(s);
    return NULL;
  }
  return s;
}

void item_store_close(item_store *s) {
  if (!s)
    return;
  if (!s->o.read_only) {
    flush_buffer(s);
    close_segment(s);
  }
  segs_free(&s->segs);
  free(s->buf);
  free(s);
}

/* The item's timestamp, or -1 when it has none usable. */
static int64_t item_ts(const json_t *item) {
  json_t *t = json_object_get(item, "timestamp");
  if (json_is_integer(t))
    return json_integer_value(t) < 0 ? 0 : json_integer_value(t);
  if (json_is_real(t) && json_real_value(t) >= 0 && json_real_value(t) < 1e18)
    return (int64_t)json_real_value(t);
  return -1;
}

int item_store_append(item_store *s, const json_t *item) {
  if (s->o.read_only) {
    atomic_fetch_add(&s->errors, 1);
    return -EROFS; /* a caller's mistake, not worth a log line */
  }
  int64_t ts = json_is_object(item) ? item_ts(item) : 0, stamp = -1;
  if (ts < 0) {
    /* Stamped with the wall clock; a timestamp of another type is kept
     * as it is (readers then see 0). */
    ts = now_ms();
    if (!json_object_get(item, "timestamp"))
      stamp = ts;
  }
  int rc =
      item_line_append(&s->buf, &s->len, &s->cap, item, stamp, ITEM_LINE_MAX);
  if (rc < 0) {
    refused(s, rc);
    return rc;
  }
  if (s->fd < 0 && s->buf_items == 0)
    s->buf_first_ts = ts; /* it will name the next segment */
  s->buf_items++;
  if (ts > s->buf_max_ts)
    s->buf_max_ts = ts;
  if (s->committed + s->len >= s->o.segment_size) {
    flush_buffer(s);
    close_segment(s);
  } else if (s->len >= BUF_CAP) {
    flush_buffer(s);
  }
  return 0;
}

void item_store_flush(item_store *s) {
  if (!s->o.read_only)
    flush_buffer(s);
}

void item_store_retain(item_store *s, time_t now) {
  if (!s->o.read_only)
    segs_retain(&s->segs, s->o.max_size, s->o.max_age_s, now);
}

void item_store_get_usage(item_store *s, item_store_usage *u) {
  memset(u, 0, sizeof *u);
  segs_usage(&s->segs, u);
  u->items = atomic_load(&s->items);
  u->errors = atomic_load(&s->errors);
}

seg_list *item_store_segments(item_store *s) {
  return &s->segs;
}
