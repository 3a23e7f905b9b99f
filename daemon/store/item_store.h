/* The item store: every item as one JSON line in append-only segment
 * files under <data dir>/items/ (DESIGN.md "Storage").
 *
 * Segments are named "<first item's timestamp ms, 13 digits>-<sequence,
 * 8 digits>.jsonl" so that a listing sorted by name is oldest first and a
 * query for recent items can skip whole segments by name.  The writer
 * rotates a segment when it passes segment_size.  Retention deletes the
 * oldest closed segments while the total passes max_size, and closed
 * segments whose last write is older than max_age_s.  Files in items/
 * not named like segments are never read, counted or deleted.
 *
 * A line is the item as json_dumps(item, JSON_COMPACT) writes it.
 *
 * Threads: one writer (the script thread) appends; any number of readers
 * (query workers) scan at the same time; usage and retention may be
 * called from any thread.  Readers never see a partial line: a line is
 * visible once item_store_flush has written it whole. */
#ifndef WH_ITEM_STORE_H
#define WH_ITEM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct json_t json_t;
typedef struct item_store item_store;

typedef struct item_store_opts {
  uint64_t segment_size; /* bytes; 0 = 16 MiB */
  uint64_t max_size;     /* bytes of all segments; 0 = no limit */
  uint64_t max_age_s;    /* 0 = no limit */
  bool read_only;        /* open for scanning only (benchmarks, tools): the
                          * segments there at open; never writes, never
                          * deletes, appends fail with -EROFS */
} item_store_opts;

/* Opens (creating) items/ in the data directory (datadir_open_root
 * first) and registers segments left by earlier runs; the newest of them
 * is not appended to (a new run starts a new segment).  NULL with a
 * one-line message in err on failure. */
item_store *item_store_open(const item_store_opts *o, char *err, size_t errcap);
/* Flushes and closes; NULL is fine. */
void item_store_close(item_store *s);

/* Appends one item (its "timestamp" field, ms, names segments; an item
 * without one gets "timestamp":<wall clock ms> as its first member).
 * Buffered: a write error shows later, in the errors count and the log
 * (once a minute at most).  Returns 0 or a negative errno, the item then
 * lost and counted: -EINVAL not an object, or a string or key that is not
 * UTF-8; -E2BIG longer than 16 MiB as JSON; -ENOMEM; -EROFS read-only. */
int item_store_append(item_store *s, const json_t *item);
/* Makes appended items visible to readers (called between batches and
 * at least every 200 ms by the writer's loop). */
void item_store_flush(item_store *s);
/* Applies the size and age limits. */
void item_store_retain(item_store *s, time_t now);

/* Called for each stored item, newest first: the line (without its
 * newline, NOT NUL-terminated, valid only during the call) and the
 * item's timestamp in ms (0 if the line has no integer "timestamp").
 * Return true to go on, false to stop.  Lines are not parsed by the
 * store: one from a damaged file may still fail to decode. */
typedef bool (*item_visit)(void *udata, const char *line, size_t len,
                           int64_t ts_ms);
/* Visits items newest first (reverse append order), leaving out those
 * older than since_ms (0: no bound).  Items are appended in completion
 * order, not strictly by timestamp, so the bound skips whole segments by
 * their newest item (this run's known exactly, earlier runs' bounded by
 * the file's mtime) and single lines by their timestamp; it never stops
 * the scan early.  Left out too: a line longer than 16 MiB, a last line
 * without its newline, lines that do not start with '{' and end with '}'.
 * Reads with pread in 1 MiB chunks from the end of each segment.  Returns
 * the number of lines passed to fn, or -1 with a message in err (out of
 * memory); a segment that cannot be read is skipped with a warning. */
int64_t item_store_scan(item_store *s, int64_t since_ms, item_visit fn,
                        void *udata, char *err, size_t errcap);

typedef struct item_store_usage {
  uint64_t bytes, segments, items; /* items: appended in this run */
  uint64_t errors;                 /* failed appends */
  uint64_t deleted_segments;       /* by retention, this run */
} item_store_usage;
void item_store_get_usage(item_store *s, item_store_usage *u);

#endif
