/* The console backlog: the last lines printed by the scripts, numbered
 * from 1, for `console` subscribers (doc/control.md).  Appending is cheap
 * and never waits for a client: the line is escaped into its JSON event
 * text before the lock is taken, and readers copy from the ring at their
 * own pace (a reader left behind by more than the ring loses lines and is
 * told how many).  Any thread may append; readers lock too. */
#ifndef WH_CONSOLE_RING_H
#define WH_CONSOLE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct console_ring console_ring;

/* Keeps at most max_lines lines and, beyond the newest one, at most
 * max_bytes of their text. */
console_ring *console_ring_new(size_t max_lines, size_t max_bytes);
void console_ring_free(console_ring *r);

/* Keeps one line (UTF-8 or not: bad bytes become U+FFFD).  Returns its
 * sequence number, or 0 when memory ran out (the line is lost). */
uint64_t console_ring_append(console_ring *r, bool is_error, const char *line,
                             size_t len, int64_t time_ms);

/* Where a new reader starts: after sequence number `after` when
 * use_after, else at the oldest line kept.  *next gets the first
 * sequence number to read; returns how many lines are kept from there. */
uint64_t console_ring_start(console_ring *r, bool use_after, uint64_t after,
                            uint64_t *next);

/* Receives one line: its number and its JSON event text after the
 * "seq" member ("\"time\":...}\n").  Returns false to stop. */
typedef bool (*console_ring_fn)(void *ctx, uint64_t seq, const char *tail,
                                size_t len);
/* Hands lines from *next on to fn, at most max of them, advancing *next.
 * Lines that left the ring before being read are added to *lost. */
size_t console_ring_read(console_ring *r, uint64_t *next, uint64_t *lost,
                         console_ring_fn fn, void *ctx, size_t max);

#endif
