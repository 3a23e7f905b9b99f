/* The item store's segment list: registration of earlier runs' files,
 * this run's segments, retention, and the lookups readers make.  Every
 * function that touches the list takes its mutex, so the writer, readers
 * and whoever calls retention may be different threads.  Only names of
 * the segment shape are ever registered, so nothing else in items/ is
 * ever deleted. */
#include "config.h"

#include "store/item_segments.h"
#include "store/fifo_array.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define TS_MAX 9999999999999ll /* what 13 digits hold */
#define SEQ_MOD 100000000ull   /* what 8 digits hold */

void seg_name(int64_t first_ts, uint64_t seq, char *buf, size_t cap) {
  long long ts = first_ts < 0 ? 0 : first_ts > TS_MAX ? TS_MAX : first_ts;
  snprintf(buf, cap, "%013lld-%08llu.jsonl", ts,
           (unsigned long long)(seq % SEQ_MOD));
}

static bool all_digits(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i] < '0' || p[i] > '9')
      return false;
  return true;
}

bool seg_parse_name(const char *name, int64_t *first_ts, uint64_t *seq) {
  if (strlen(name) != 28 || !all_digits(name, 13) || name[13] != '-' ||
      !all_digits(name + 14, 8) || strcmp(name + 22, ".jsonl") != 0)
    return false;
  *first_ts = strtoll(name, NULL, 10);
  *seq = strtoull(name + 14, NULL, 10);
  return true;
}

/* ------------------------------------------------------------------ */
/* The array                                                           */

static seg_info *at(seg_list *l, size_t i) {
  return &l->v[l->head + i];
}

static int reserve(seg_list *l) {
  void *v = l->v;
  int rc = fifo_reserve(&v, sizeof *l->v, &l->head, l->n, &l->cap);
  l->v = v;
  return rc;
}

/* Drops entry i from the list (not the file). */
static void forget_at(seg_list *l, size_t i) {
  l->total -= at(l, i)->size;
  if (i == 0) {
    l->head++;
  } else {
    seg_info *e = at(l, i);
    memmove(e, e + 1, (l->n - i - 1) * sizeof *e);
  }
  l->n--;
}

/* Index of the first entry with an id >= id (n if none). */
static size_t lower_bound(seg_list *l, uint64_t id) {
  size_t lo = 0, hi = l->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (at(l, mid)->id < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static seg_info *find(seg_list *l, uint64_t id) {
  size_t i = lower_bound(l, id);
  return i < l->n && at(l, i)->id == id ? at(l, i) : NULL;
}

static void warn_cap(seg_list *l) {
  if (l->cap_warned)
    return;
  l->cap_warned = true;
  log_warn("item store: more than %u segments in " ITEMS_DIR "/; the oldest "
           "are left out of queries and retention (raise the segment size "
           "or lower the size limit)",
           SEG_MAX);
}

/* ------------------------------------------------------------------ */
/* Setup: earlier runs' segments                                       */

int segs_init(seg_list *l, int dirfd) {
  memset(l, 0, sizeof *l);
  l->dirfd = dirfd;
  l->next_id = 1;
  int rc = pthread_mutex_init(&l->mu, NULL);
  return rc ? -rc : 0;
}

void segs_free(seg_list *l) {
  free(l->v);
  if (l->dirfd >= 0)
    close(l->dirfd);
  pthread_mutex_destroy(&l->mu);
}

static int cmp_name(const void *a, const void *b) {
  return strcmp(((const seg_info *)a)->name, ((const seg_info *)b)->name);
}

/* Keeps the newest SEG_MAX entries of an unsorted array of n. */
static size_t keep_newest(seg_list *l, size_t n) {
  if (n > 1)
    qsort(l->v, n, sizeof *l->v, cmp_name);
  if (n <= SEG_MAX)
    return n;
  warn_cap(l);
  for (size_t i = 0; i < n - SEG_MAX; i++)
    l->total -= l->v[i].size;
  memmove(l->v, l->v + (n - SEG_MAX), SEG_MAX * sizeof *l->v);
  return SEG_MAX;
}

/* The newest item of an earlier run's segment is not known without
 * reading it: its last write (rounded up) bounds it, unless the clock
 * went backwards, when the first item's time in the name is used. */
static int64_t old_max_ts(int64_t first_ts, const struct stat *st) {
  int64_t m = (int64_t)st->st_mtim.tv_sec * 1000 +
              (st->st_mtim.tv_nsec + 999999) / 1000000;
  return m > first_ts ? m : first_ts;
}

static int add_found(seg_list *l, int dfd, const char *name, uint64_t *max_seq,
                     size_t *n) {
  int64_t first_ts;
  uint64_t seq;
  struct stat st;
  if (!seg_parse_name(name, &first_ts, &seq) ||
      fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
    return 0;
  if (seq > *max_seq)
    *max_seq = seq;
  if (*n == 2 * SEG_MAX) /* a huge directory: bound the memory */
    *n = keep_newest(l, *n);
  if (*n >= l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    seg_info *v = realloc(l->v, cap * sizeof *v);
    if (!v)
      return -ENOMEM;
    l->v = v;
    l->cap = cap;
  }
  seg_info *e = &l->v[(*n)++];
  memset(e, 0, sizeof *e);
  memcpy(e->name, name, strlen(name) + 1);
  e->size = (uint64_t)st.st_size;
  e->max_ts = old_max_ts(first_ts, &st);
  e->mtime = st.st_mtime;
  l->total += e->size;
  return 0;
}

int segs_load(seg_list *l, uint64_t *max_seq) {
  int dfd = dup(l->dirfd);
  DIR *d = dfd < 0 ? NULL : fdopendir(dfd);
  if (!d) {
    int rc = -errno;
    if (dfd >= 0)
      close(dfd);
    return rc;
  }
  *max_seq = 0;
  size_t n = 0;
  int rc = 0;
  struct dirent *de;
  while (rc == 0 && (de = readdir(d)) != NULL)
    rc = add_found(l, dirfd(d), de->d_name, max_seq, &n);
  closedir(d);
  if (rc < 0)
    return rc;
  l->n = keep_newest(l, n);
  for (size_t i = 0; i < l->n; i++)
    l->v[i].id = l->next_id++;
  return 0;
}

/* ------------------------------------------------------------------ */
/* This run's segments                                                 */

uint64_t segs_add_open(seg_list *l, const char *name, time_t now) {
  pthread_mutex_lock(&l->mu);
  uint64_t id = 0;
  if (l->n >= SEG_MAX) {
    warn_cap(l);
    forget_at(l, 0);
  }
  if (reserve(l) == 0) {
    seg_info *e = at(l, l->n++);
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->id = id = l->next_id++;
    e->max_ts = INT64_MIN;
    e->mtime = now;
    e->this_run = true;
    l->open_id = id;
  }
  pthread_mutex_unlock(&l->mu);
  return id;
}

void segs_grow(seg_list *l, uint64_t id, uint64_t size, int64_t max_ts,
               time_t now) {
  pthread_mutex_lock(&l->mu);
  seg_info *e = find(l, id);
  if (e) { /* else retention already took it (only when closed) */
    l->total += size - e->size;
    e->size = size;
    if (max_ts > e->max_ts)
      e->max_ts = max_ts;
    e->mtime = now;
  }
  pthread_mutex_unlock(&l->mu);
}

static void unlink_seg(seg_list *l, const char *name) {
  if (unlinkat(l->dirfd, name, 0) < 0 && errno != ENOENT)
    log_warn("item store: cannot delete " ITEMS_DIR "/%s: %s (delete it by "
             "hand; it is no longer counted)",
             name, strerror(errno));
}

void segs_close(seg_list *l, uint64_t id) {
  pthread_mutex_lock(&l->mu);
  size_t i = lower_bound(l, id);
  if (i < l->n && at(l, i)->id == id && at(l, i)->size == 0) {
    unlink_seg(l, at(l, i)->name);
    forget_at(l, i);
  }
  if (l->open_id == id)
    l->open_id = 0;
  pthread_mutex_unlock(&l->mu);
}

/* ------------------------------------------------------------------ */
/* Retention                                                           */

static void delete_at(seg_list *l, size_t i) {
  unlink_seg(l, at(l, i)->name);
  forget_at(l, i);
  l->deleted++;
}

static void retain_age(seg_list *l, uint64_t max_age_s, time_t now) {
  for (size_t i = 0; i < l->n;) {
    const seg_info *e = at(l, i);
    if (e->id != l->open_id && now > e->mtime &&
        (uint64_t)(now - e->mtime) > max_age_s)
      delete_at(l, i);
    else
      i++;
  }
}

/* The open segment is always the last entry, so the oldest closed one is
 * the first, unless the open one is all there is. */
static void retain_size(seg_list *l, uint64_t max_size) {
  while (l->total > max_size && l->n > 0 && at(l, 0)->id != l->open_id)
    delete_at(l, 0);
}

void segs_retain(seg_list *l, uint64_t max_size, uint64_t max_age_s,
                 time_t now) {
  pthread_mutex_lock(&l->mu);
  if (max_age_s)
    retain_age(l, max_age_s, now);
  if (max_size)
    retain_size(l, max_size);
  pthread_mutex_unlock(&l->mu);
}

/* ------------------------------------------------------------------ */
/* Readers                                                             */

bool segs_prev(seg_list *l, uint64_t below, seg_info *out) {
  pthread_mutex_lock(&l->mu);
  size_t i = lower_bound(l, below);
  bool found = i > 0;
  if (found)
    *out = *at(l, i - 1);
  pthread_mutex_unlock(&l->mu);
  return found;
}

void segs_usage(seg_list *l, item_store_usage *u) {
  pthread_mutex_lock(&l->mu);
  u->bytes = l->total;
  u->segments = l->n;
  u->deleted_segments = l->deleted;
  pthread_mutex_unlock(&l->mu);
}
