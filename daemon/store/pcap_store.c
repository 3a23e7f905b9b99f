/* Per-stream PCAP files: an LRU cache of writers over a hash of live
 * streams, and a list of closed streams ordered by mtime for retention.
 * Every open goes through datadir, with O_NOFOLLOW on the file itself, so
 * neither a symlinked pcaps/ leading out nor a planted symlink in it can
 * redirect a write. */
#include "config.h"

#include "store/pcap_store.h"
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

#include <wirehook/plugin.h>

#include "datadir.h"
#include "log.h"

#define PCAPS_DIR "pcaps"
#define DEFAULT_SNAPLEN 262144u
#define DEFAULT_MAX_OPEN 256u
#define GLOBAL_HDR_LEN 24u
#define RECORD_HDR_LEN 16u
#define NAME_CAP 40

typedef struct stream_ent {
  uint64_t key;  /* stream << 1 | udp */
  FILE *fp;      /* NULL while evicted from the cache */
  uint64_t size; /* bytes in the file, as far as this store knows */
  struct stream_ent *hnext;
  struct stream_ent *newer, *older; /* LRU links, only while fp != NULL */
} stream_ent;

typedef struct closed_ent {
  uint64_t key;
  time_t mtime;
  uint64_t size;
} closed_ent;

struct pcap_store {
  pcap_store_opts o;
  stream_ent **buckets; /* live streams; power-of-two count */
  size_t nbuckets, nlive;
  stream_ent *newest, *oldest; /* the LRU list of open writers */
  size_t nopen;
  /* Closed streams in [head, head + nclosed), oldest mtime first. */
  closed_ent *closed;
  size_t head, nclosed, cap_closed;
  uint64_t total; /* bytes of all stream files, live and closed */
};

static uint64_t key_of(uint64_t stream, bool udp) {
  return stream << 1 | (udp ? 1u : 0u);
}

void pcap_store_name(uint64_t stream, bool udp, char *buf, size_t cap) {
  snprintf(buf, cap, "%012" PRIu64 "%s.pcap", stream, udp ? "_udp" : "");
}

static void rel_path(uint64_t key, char *buf, size_t cap) {
  char name[NAME_CAP];
  pcap_store_name(key >> 1, key & 1, name, sizeof name);
  snprintf(buf, cap, PCAPS_DIR "/%s", name);
}

/* ------------------------------------------------------------------ */
/* The live-stream hash                                                */

static size_t bucket_of(const pcap_store *s, uint64_t key) {
  uint64_t h = key * 0x9e3779b97f4a7c15ull; /* Fibonacci hashing */
  return (size_t)(h >> 32) & (s->nbuckets - 1);
}

static stream_ent *live_find(const pcap_store *s, uint64_t key) {
  for (stream_ent *e = s->buckets[bucket_of(s, key)]; e; e = e->hnext)
    if (e->key == key)
      return e;
  return NULL;
}

static int live_grow(pcap_store *s) {
  size_t n = s->nbuckets * 2;
  stream_ent **b = calloc(n, sizeof *b);
  if (!b)
    return -ENOMEM;
  stream_ent **old = s->buckets;
  size_t oldn = s->nbuckets;
  s->buckets = b;
  s->nbuckets = n;
  for (size_t i = 0; i < oldn; i++) {
    for (stream_ent *e = old[i], *next; e; e = next) {
      next = e->hnext;
      size_t j = bucket_of(s, e->key);
      e->hnext = b[j];
      b[j] = e;
    }
  }
  free(old);
  return 0;
}

static void live_unlink(pcap_store *s, stream_ent *e) {
  stream_ent **pp = &s->buckets[bucket_of(s, e->key)];
  while (*pp != e)
    pp = &(*pp)->hnext;
  *pp = e->hnext;
  s->nlive--;
}

/* ------------------------------------------------------------------ */
/* The writer cache                                                    */

static void lru_remove(pcap_store *s, stream_ent *e) {
  if (e->newer)
    e->newer->older = e->older;
  else
    s->newest = e->older;
  if (e->older)
    e->older->newer = e->newer;
  else
    s->oldest = e->newer;
  e->newer = e->older = NULL;
  s->nopen--;
}

static void lru_push(pcap_store *s, stream_ent *e) {
  e->older = s->newest;
  e->newer = NULL;
  if (s->newest)
    s->newest->newer = e;
  else
    s->oldest = e;
  s->newest = e;
  s->nopen++;
}

static void writer_close(pcap_store *s, stream_ent *e) {
  if (!e->fp)
    return;
  lru_remove(s, e);
  if (fclose(e->fp) != 0) {
    char path[64];
    rel_path(e->key, path, sizeof path);
    log_warn("pcap store: %s: %s", path, strerror(errno));
  }
  e->fp = NULL;
}

static int write_global_header(const pcap_store *s, FILE *fp) {
  struct {
    uint32_t magic;
    uint16_t major, minor;
    int32_t thiszone;
    uint32_t sigfigs, snaplen, linktype;
  } h = {0xa1b2c3d4u, 2, 4, 0, 0, s->o.snaplen, (uint32_t)s->o.linktype};
  return fwrite(&h, GLOBAL_HDR_LEN, 1, fp) == 1 ? 0 : -EIO;
}

/* Opens the stream's file: truncated for a stream new in this run, else
 * appended to.  A file found empty (new, or deleted behind our back)
 * gets a global header first. */
static int writer_open(pcap_store *s, stream_ent *e, bool fresh) {
  char path[64];
  rel_path(e->key, path, sizeof path);
  int flags = O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC;
  int fd = datadir_open(path, flags | (fresh ? O_TRUNC : 0), 0644);
  if (fd < 0)
    return fd;
  struct stat st;
  FILE *fp = fstat(fd, &st) == 0 ? fdopen(fd, "ab") : NULL;
  if (!fp) {
    int rc = -errno;
    close(fd);
    return rc;
  }
  s->total = s->total - e->size + (uint64_t)st.st_size;
  e->size = (uint64_t)st.st_size;
  if (e->size == 0) {
    if (write_global_header(s, fp) < 0) {
      fclose(fp);
      return -EIO;
    }
    e->size = GLOBAL_HDR_LEN;
    s->total += GLOBAL_HDR_LEN;
  }
  e->fp = fp;
  lru_push(s, e);
  return 0;
}

/* Makes e the most recently used open writer, evicting the least
 * recently used one when the cache is full. */
static int writer_get(pcap_store *s, stream_ent *e, bool fresh) {
  if (e->fp) {
    lru_remove(s, e);
    lru_push(s, e);
    return 0;
  }
  while (s->nopen >= s->o.max_open && s->oldest)
    writer_close(s, s->oldest);
  return writer_open(s, e, fresh);
}

/* ------------------------------------------------------------------ */
/* Closed streams                                                      */

static int closed_reserve(pcap_store *s) {
  void *v = s->closed;
  int rc =
      fifo_reserve(&v, sizeof *s->closed, &s->head, s->nclosed, &s->cap_closed);
  s->closed = v;
  return rc;
}

/* Inserts keeping mtime order; ends arrive almost always in order, so
 * the backward scan is short. */
static int closed_add(pcap_store *s, uint64_t key, time_t mtime,
                      uint64_t size) {
  if (closed_reserve(s) < 0)
    return -ENOMEM;
  closed_ent *base = s->closed + s->head;
  size_t i = s->nclosed;
  while (i > 0 && base[i - 1].mtime > mtime)
    i--;
  memmove(base + i + 1, base + i, (s->nclosed - i) * sizeof *base);
  base[i] = (closed_ent){key, mtime, size};
  s->nclosed++;
  s->total += size;
  return 0;
}

/* Forgets a closed stream whose number is used again (a file left by a
 * previous run); its bytes leave the total with it. */
static void closed_forget(pcap_store *s, uint64_t key) {
  closed_ent *base = s->closed + s->head;
  for (size_t i = 0; i < s->nclosed; i++) {
    if (base[i].key != key)
      continue;
    s->total -= base[i].size;
    memmove(base + i, base + i + 1, (s->nclosed - i - 1) * sizeof *base);
    s->nclosed--;
    return;
  }
}

static void closed_delete_oldest(pcap_store *s) {
  closed_ent *c = &s->closed[s->head];
  char path[64], base[NAME_CAP];
  rel_path(c->key, path, sizeof path);
  int dfd = datadir_parent(path, base, sizeof base);
  if (dfd >= 0) {
    if (unlinkat(dfd, base, 0) < 0 && errno != ENOENT)
      log_warn("pcap store: cannot delete %s: %s", path, strerror(errno));
    close(dfd);
  }
  s->total -= c->size;
  s->head++;
  s->nclosed--;
}

void pcap_store_retain(pcap_store *s, time_t now) {
  while (s->nclosed > 0) {
    const closed_ent *c = &s->closed[s->head];
    bool too_big = s->o.max_size && s->total > s->o.max_size;
    bool too_old = s->o.max_age_s && now > c->mtime &&
                   (uint64_t)(now - c->mtime) > s->o.max_age_s;
    if (!too_big && !too_old)
      return;
    closed_delete_oldest(s);
  }
}

/* ------------------------------------------------------------------ */
/* A previous run's files                                              */

/* Parses "<12+ digits>.pcap" or "<12+ digits>_udp.pcap". */
static bool parse_stream_name(const char *name, uint64_t *key) {
  size_t digits = strspn(name, "0123456789");
  if (digits < 12 || digits > 20)
    return false;
  const char *rest = name + digits;
  bool udp = strcmp(rest, "_udp.pcap") == 0;
  if (!udp && strcmp(rest, ".pcap") != 0)
    return false;
  errno = 0;
  unsigned long long n = strtoull(name, NULL, 10);
  if (errno || n > UINT64_MAX >> 1)
    return false;
  *key = key_of(n, udp);
  return true;
}

static int cmp_closed(const void *a, const void *b) {
  const closed_ent *x = a, *y = b;
  if (x->mtime != y->mtime)
    return x->mtime < y->mtime ? -1 : 1;
  return x->key < y->key ? -1 : x->key > y->key;
}

static int scan_previous(pcap_store *s, int dfd) {
  DIR *d = fdopendir(dfd);
  if (!d) {
    close(dfd);
    return -errno;
  }
  int rc = 0;
  struct dirent *de;
  while (rc == 0 && (de = readdir(d)) != NULL) {
    uint64_t key;
    struct stat st;
    if (!parse_stream_name(de->d_name, &key) ||
        fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
        !S_ISREG(st.st_mode))
      continue;
    rc = closed_add(s, key, st.st_mtime, (uint64_t)st.st_size);
  }
  closedir(d);
  if (s->nclosed > 1)
    qsort(s->closed + s->head, s->nclosed, sizeof *s->closed, cmp_closed);
  return rc;
}

/* mkdir in the data root's own fd, then reopen through datadir: a pcaps
 * that is a symlink leading out of the data directory is refused. */
static int open_pcaps_dir(void) {
  int root = datadir_fd();
  if (root < 0)
    return -EBADF;
  if (mkdirat(root, PCAPS_DIR, 0755) < 0 && errno != EEXIST)
    return -errno;
  return datadir_open(PCAPS_DIR, O_RDONLY | O_DIRECTORY, 0);
}

/* ------------------------------------------------------------------ */
/* The API                                                             */

pcap_store *pcap_store_open(const pcap_store_opts *o, char *err,
                            size_t errcap) {
  pcap_store *s = calloc(1, sizeof *s);
  if (!s || !(s->buckets = calloc(64, sizeof *s->buckets))) {
    free(s);
    snprintf(err, errcap, "pcap store: out of memory");
    return NULL;
  }
  s->nbuckets = 64;
  s->o = *o;
  if (!s->o.snaplen)
    s->o.snaplen = DEFAULT_SNAPLEN;
  if (!s->o.max_open)
    s->o.max_open = DEFAULT_MAX_OPEN;
  int dfd = open_pcaps_dir();
  int rc = dfd < 0 ? dfd : scan_previous(s, dfd);
  if (rc < 0) {
    snprintf(err, errcap, "pcap store: %s/" PCAPS_DIR ": %s", datadir_path(),
             rc == WH_ERR_ESCAPE ? "escapes the data directory"
                                 : strerror(-rc));
    pcap_store_close(s);
    return NULL;
  }
  return s;
}

void pcap_store_close(pcap_store *s) {
  if (!s)
    return;
  for (size_t i = 0; i < s->nbuckets; i++) {
    for (stream_ent *e = s->buckets[i], *next; e; e = next) {
      next = e->hnext;
      writer_close(s, e);
      free(e);
    }
  }
  free(s->buckets);
  free(s->closed);
  free(s);
}

static stream_ent *live_add(pcap_store *s, uint64_t key) {
  if (s->nlive >= s->nbuckets && live_grow(s) < 0)
    return NULL;
  stream_ent *e = calloc(1, sizeof *e);
  if (!e)
    return NULL;
  e->key = key;
  size_t b = bucket_of(s, key);
  e->hnext = s->buckets[b];
  s->buckets[b] = e;
  s->nlive++;
  return e;
}

static int write_record(pcap_store *s, stream_ent *e, const struct timespec *ts,
                        const uint8_t *frame, uint32_t caplen, uint32_t len) {
  uint32_t incl = caplen < s->o.snaplen ? caplen : s->o.snaplen;
  uint32_t hdr[4] = {(uint32_t)ts->tv_sec, (uint32_t)(ts->tv_nsec / 1000), incl,
                     len > caplen ? len : caplen};
  if (fwrite(hdr, RECORD_HDR_LEN, 1, e->fp) != 1 ||
      (incl && fwrite(frame, incl, 1, e->fp) != 1))
    return -EIO;
  e->size += RECORD_HDR_LEN + incl;
  s->total += RECORD_HDR_LEN + incl;
  return 0;
}

int pcap_store_write(pcap_store *s, uint64_t stream, bool udp,
                     const struct timespec *ts, const uint8_t *frame,
                     uint32_t caplen, uint32_t len) {
  uint64_t key = key_of(stream, udp);
  stream_ent *e = live_find(s, key);
  bool fresh = !e;
  if (fresh) {
    /* The number may name a file of a previous run (or, if the caller
     * writes after pcap_store_end, one of ours): it is a new stream now. */
    closed_forget(s, key);
    if (!(e = live_add(s, key)))
      return -ENOMEM;
  }
  int rc = writer_get(s, e, fresh);
  if (rc == 0)
    rc = write_record(s, e, ts, frame, caplen, len);
  if (rc < 0 && fresh && !e->fp) {
    live_unlink(s, e);
    free(e);
  }
  return rc;
}

void pcap_store_flush(pcap_store *s, uint64_t stream, bool udp) {
  stream_ent *e = live_find(s, key_of(stream, udp));
  if (e && e->fp && fflush(e->fp) != 0)
    log_warn("pcap store: flush of stream %" PRIu64 ": %s", stream,
             strerror(errno));
}

/* mtime and size of a stream's file; false if it is gone. */
static bool stat_stream(uint64_t key, struct stat *st) {
  char path[64];
  rel_path(key, path, sizeof path);
  int fd = datadir_open(path, O_PATH | O_NOFOLLOW, 0);
  if (fd < 0)
    return false;
  bool ok = fstat(fd, st) == 0 && S_ISREG(st->st_mode);
  close(fd);
  return ok;
}

void pcap_store_end(pcap_store *s, uint64_t stream, bool udp) {
  uint64_t key = key_of(stream, udp);
  stream_ent *e = live_find(s, key);
  if (!e)
    return;
  writer_close(s, e);
  live_unlink(s, e);
  s->total -= e->size;
  free(e);
  struct stat st;
  if (stat_stream(key, &st) &&
      closed_add(s, key, st.st_mtime, (uint64_t)st.st_size) < 0)
    log_warn("pcap store: out of memory; stream %" PRIu64
             " is kept out of retention",
             stream);
}

uint64_t pcap_store_total_bytes(const pcap_store *s) {
  return s->total;
}

size_t pcap_store_open_writers(const pcap_store *s) {
  return s->nopen;
}

size_t pcap_store_closed_count(const pcap_store *s) {
  return s->nclosed;
}
