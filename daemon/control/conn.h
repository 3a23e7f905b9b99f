/* One control client as the control thread sees it: a bounded read
 * buffer cut into request lines, a capped output buffer written without
 * blocking, and the clocks of its idle timeout (doc/control.md, Limits).
 * Only the control thread touches a conn. */
#ifndef WH_CONTROL_CONN_H
#define WH_CONTROL_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONN_LINE_MAX 65536u       /* a request line, without \n */
#define CONN_OUT_CAP (4u << 20)    /* unread output */
#define CONN_QUERY_CAP (64u << 20) /* ... while a query answers */
/* Console lines fill a client's output only this far, so that an answer
 * to one of its requests still fits under the cap. */
#define CONN_CONSOLE_FILL (CONN_OUT_CAP / 2)
#define CONN_PENDING_MAX 64u /* requests awaiting answers */

typedef struct conn {
  int fd;
  uint64_t id; /* never reused */
  char *in;    /* CONN_LINE_MAX + 1 bytes, allocated while in use */
  size_t in_len;
  int64_t in_since; /* when the unfinished line began (ms) */
  char *out;
  size_t out_off, out_len, out_cap;
  int64_t out_since;     /* last progress while output waits (ms) */
  int64_t last_io;       /* last byte read or written (ms) */
  uint64_t queued, sent; /* bytes ever queued / written */
  uint64_t big_until;    /* query output waits until sent reaches it */
  unsigned pending;      /* requests whose final line is still to come */
  unsigned queries;      /* of which queries (their answers get the big cap) */
  bool eof;              /* the client will send nothing more */
  bool closing;          /* close once the output is written */
  bool killed;           /* closing, its output dropped: takes no more */
  /* Console subscription. */
  bool subscribed;
  uint64_t next_seq; /* next console line to send */
  uint64_t dropped;  /* lines lost since the last one sent */
  char *sub_prefix;  /* "{\"event\":\"console\",\"id\":...," */
  size_t sub_prefix_len;
} conn;

conn *conn_new(int fd, uint64_t id, int64_t now);
/* Closes the descriptor and frees everything. */
void conn_free(conn *k);

/* Called for each complete request line (without "\n" or "\r\n"). */
typedef void (*conn_line_fn)(void *ctx, conn *k, const char *line, size_t len);

enum { CONN_OK = 0, CONN_GONE = -1, CONN_TOO_LONG = -2 };
/* Reads what is there (one buffer-full at most, so that one client
 * cannot hold the thread) and hands over the complete lines.  At the end
 * of input a last unterminated line is handed over too.  CONN_TOO_LONG:
 * a line passed CONN_LINE_MAX; its bytes were thrown away. */
int conn_read(conn *k, int64_t now, conn_line_fn fn, void *ctx);

/* Queues bytes for the client; -1 when that would pass cap (nothing is
 * queued) or memory runs out. */
int conn_queue(conn *k, const char *data, size_t len, size_t cap, int64_t now);
size_t conn_unsent(const conn *k);
/* Writes what it can without blocking; -1 when the client is gone. */
int conn_flush(conn *k, int64_t now);

/* True when a line was left unfinished, or output unread, for timeout
 * ms; *due gets the earliest time it could become true (INT64_MAX:
 * never). */
/* Bytes wait to be read on the socket. */
bool conn_has_input(const conn *k);
bool conn_timed_out(const conn *k, int64_t now, unsigned timeout_ms,
                    int64_t *due);

#endif
