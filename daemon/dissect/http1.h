/* HTTP/1.x dissector: finds HTTP by content on any port, parses both
 * directions of a TCP connection, pairs requests with responses in order,
 * and builds the `request` and `response` objects of item-model.md §5-7.
 * Every read is bounded; bodies are cut at max_body. */
#ifndef WH_HTTP1_H
#define WH_HTTP1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct json_t json_t;

typedef struct http1_limits {
  size_t max_body;         /* decoded body kept per message (default 65536) */
  size_t max_header_bytes; /* start line + headers (default 64 KiB) */
  uint32_t max_pending;    /* requests waiting for responses (default 64) */
} http1_limits;

/* One finished exchange, handed to the emit callback.  request and
 * response are new references the callee takes over; response is an
 * empty object for an unanswered request. */
typedef struct http1_exchange {
  json_t *request;
  json_t *response;
  int client_dir;          /* the flow direction that sent the request */
  struct timespec req_ts;  /* first byte of the request */
  struct timespec resp_ts; /* first byte of the response (0 if none) */
  uint64_t request_size;   /* item-model §4 */
  uint64_t response_size;
  const char *version;    /* "1.1" or "1.0", from the request line */
  const char *error_type; /* NULL, "timeout" or "pair-not-found" */
  const char *error_msg;
} http1_exchange;

typedef void (*http1_emit_fn)(void *udata, http1_exchange *x);

typedef struct http1_stats {
  uint64_t requests, responses, exchanges;
  uint64_t
      orphan_responses;  /* response with no request: counted, not emitted */
  uint64_t parse_errors; /* unparsable messages (the direction resyncs) */
  uint64_t truncated_bodies;
  uint64_t pending_dropped; /* max_pending */
} http1_stats;

/* True when data (the first bytes seen in one direction) look like an
 * HTTP/1.x request or response line. */
bool http1_probe(const uint8_t *data, size_t len);

typedef struct http1_conn http1_conn;

http1_conn *http1_new(const http1_limits *limits, http1_emit_fn emit,
                      void *udata, http1_stats *stats);
/* Frees the connection without emitting anything. */
void http1_free(http1_conn *c);

/* Bytes of one direction in order.  gap: bytes were lost before these;
 * the parser drops the message it was in and resumes at the next start
 * line it can find.  Returns false once dissection stopped for good
 * (after 101 Switching Protocols or a 2xx answer to CONNECT). */
bool http1_feed(http1_conn *c, int dir, const uint8_t *data, size_t len,
                bool gap, const struct timespec *ts);

/* The connection closed: a close-delimited response ends here, and the
 * requests still waiting are emitted with error "pair-not-found". */
void http1_close(http1_conn *c, const struct timespec *ts);

/* Requests older than timeout_ms are emitted with error "timeout". */
void http1_expire(http1_conn *c, const struct timespec *now,
                  uint32_t timeout_ms);

#endif
