/* Per-stream PCAP files under <data dir>/pcaps/ (DESIGN.md "Storage").
 *
 * One classic pcap file (microsecond timestamps) per TCP connection or
 * UDP flow, named as the item's `stream` field.  Writers are cached LRU
 * so that thousands of concurrent streams keep at most max_open
 * descriptors.  Retention deletes the oldest closed streams beyond the
 * size limit, and closed streams older than the age limit; it only ever
 * touches files named like stream files.
 *
 * Not thread-safe: one thread (the capture thread) owns a store. */
#ifndef WH_PCAP_STORE_H
#define WH_PCAP_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct pcap_store pcap_store;

typedef struct pcap_store_opts {
  int linktype;       /* DLT_* written in each file's global header */
  uint32_t snaplen;   /* 0 = 262144; records are cut to it */
  uint32_t max_open;  /* cached writers, default (0) 256 */
  uint64_t max_size;  /* bytes of all stream files, 0 = no limit */
  uint64_t max_age_s; /* 0 = no limit */
} pcap_store_opts;

/* Creates pcaps/ in the data directory (datadir_open_root first) and
 * registers stream files left by a previous run as closed streams, oldest
 * mtime first.  Returns NULL with a one-line message in err on failure. */
pcap_store *pcap_store_open(const pcap_store_opts *o, char *err, size_t errcap);
/* Closes every writer (flushing it) and frees the store; NULL is fine. */
void pcap_store_close(pcap_store *s);

/* Appends one record to the stream's file.  The first write of a stream
 * in this run creates (or truncates a previous run's) file with a global
 * header; a writer evicted from the cache is reopened in append mode.
 * caplen above the snaplen is cut.  Returns 0 or a negative errno. */
int pcap_store_write(pcap_store *s, uint64_t stream, bool udp,
                     const struct timespec *ts, const uint8_t *frame,
                     uint32_t caplen, uint32_t len);
/* Pushes buffered records of the stream to the file; called before an
 * item of that stream is delivered. */
void pcap_store_flush(pcap_store *s, uint64_t stream, bool udp);
/* The stream is over: its writer is closed and its file becomes eligible
 * for retention. */
void pcap_store_end(pcap_store *s, uint64_t stream, bool udp);
/* Deletes closed streams, oldest (by mtime) first, while all stream files
 * together exceed max_size, and every closed stream whose mtime is more
 * than max_age_s before now. */
void pcap_store_retain(pcap_store *s, time_t now);

/* "000000000042.pcap" or "000000000043_udp.pcap". */
void pcap_store_name(uint64_t stream, bool udp, char *buf, size_t cap);

/* Accounting, for stats lines and tests. */
uint64_t pcap_store_total_bytes(const pcap_store *s);
size_t pcap_store_open_writers(const pcap_store *s);
size_t pcap_store_closed_count(const pcap_store *s);

#endif
