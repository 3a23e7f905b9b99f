/* The item store's segment list, shared by its writer and its readers
 * (item_store.c, item_scan.c); not for use outside the store.
 *
 * Entries are kept oldest first: segments of earlier runs sorted by name,
 * then this run's in creation order.  Each gets an id that grows along
 * the list, so a reader walking it newest first can find its place again
 * after the writer added or retention removed entries. */
#ifndef WH_ITEM_SEGMENTS_H
#define WH_ITEM_SEGMENTS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "store/item_store.h"

#define ITEMS_DIR "items"
/* "<13 digits>-<8 digits>.jsonl" and its NUL. */
#define SEG_NAME_CAP 32
/* The most segments tracked: 4 TiB at the default segment size. */
#define SEG_MAX 262144u
/* Lines longer than this are skipped by readers and refused by the
 * writer. */
#define ITEM_LINE_MAX (16u << 20)

typedef struct seg_info {
  uint64_t id;
  char name[SEG_NAME_CAP];
  uint64_t size;  /* bytes; for this run's segments, the visible ones */
  int64_t max_ts; /* newest item timestamp (ms), or a bound above it */
  time_t mtime;   /* last write, for retention by age */
  bool this_run;  /* size and max_ts are exact */
} seg_info;

typedef struct seg_list {
  pthread_mutex_t mu; /* guards everything below */
  int dirfd;          /* items/, for openat; set once at open */
  seg_info *v;        /* entries [head, head + n) */
  size_t head, n, cap;
  uint64_t next_id;
  uint64_t open_id; /* the segment being written (never deleted), or 0 */
  uint64_t total;   /* bytes of all entries */
  uint64_t deleted; /* by retention */
  bool cap_warned;
} seg_list;

void seg_name(int64_t first_ts, uint64_t seq, char *buf, size_t cap);
/* True for names of the seg_name shape, giving their two numbers. */
bool seg_parse_name(const char *name, int64_t *first_ts, uint64_t *seq);

int segs_init(seg_list *l, int dirfd);
/* Frees the list and closes dirfd. */
void segs_free(seg_list *l);
/* Registers the segment files already in the directory (sorted by name)
 * and gives the highest sequence number seen.  Returns 0 or -errno. */
int segs_load(seg_list *l, uint64_t *max_seq);

/* Adds this run's new segment as the open one; its id, or 0 when out of
 * memory. */
uint64_t segs_add_open(seg_list *l, const char *name, time_t now);
/* Publishes what the writer made visible in segment id. */
void segs_grow(seg_list *l, uint64_t id, uint64_t size, int64_t max_ts,
               time_t now);
/* The writer closed segment id; an empty one (nothing ever written) is
 * deleted. */
void segs_close(seg_list *l, uint64_t id);
/* Deletes closed segments older than max_age_s, then the oldest closed
 * ones while the total exceeds max_size. */
void segs_retain(seg_list *l, uint64_t max_size, uint64_t max_age_s,
                 time_t now);

/* The newest entry with an id below `below` (UINT64_MAX: the newest of
 * all), copied to out; false when there is none. */
bool segs_prev(seg_list *l, uint64_t below, seg_info *out);

void segs_usage(seg_list *l, item_store_usage *u);

/* The store's list (item_store.c), for its reader. */
seg_list *item_store_segments(item_store *s);

#endif
