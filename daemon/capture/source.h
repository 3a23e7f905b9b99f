/* Where packets come from: a live interface or a capture file (pcap or
 * pcapng), through libpcap. */
#ifndef WH_SOURCE_H
#define WH_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct capture_opts capture_opts;
typedef struct cap_source cap_source;

typedef struct cap_frame {
  struct timespec ts;
  const uint8_t *data;
  uint32_t caplen, len;
} cap_frame;

/* Opens a file; filter may be NULL.  NULL with err filled on failure. */
cap_source *source_open_file(const char *path, const char *filter, char *err,
                             size_t errcap);
/* Opens opts->interface ("any" for all) with the capture options. */
cap_source *source_open_live(const capture_opts *opts, char *err,
                             size_t errcap);
void source_close(cap_source *s);

int source_linktype(const cap_source *s);
/* 1: a frame; 0: nothing yet (live timeout or interrupted); -1: end of
 * file or error (source_error tells which). */
int source_next(cap_source *s, cap_frame *f);
/* From another thread or a signal handler: makes source_next return. */
void source_interrupt(cap_source *s);
const char *source_error(const cap_source *s); /* NULL at a clean end */
/* Kernel drops of a live capture (0 for files). */
uint64_t source_kernel_drops(cap_source *s);
/* Bytes of the file read so far and its size (for progress). */
void source_progress(cap_source *s, uint64_t *done, uint64_t *total);

#endif
