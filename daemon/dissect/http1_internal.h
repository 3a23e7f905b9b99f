/* Internal structures of the HTTP/1.x dissector, shared by http1*.c.
 * One connection has two directions, each a small state machine fed from
 * its own input buffer, and a FIFO of requests waiting for responses. */
#ifndef WH_HTTP1_INTERNAL_H
#define WH_HTTP1_INTERNAL_H

#include "dissect/http1.h"

#include <jansson.h>

/* One header line as sent (name canonicalised, value trimmed and
 * unfolded); both point into h1_msg.block. */
typedef struct h1_hdr {
  const char *name, *value;
  size_t name_len, value_len;
} h1_hdr;

/* A request or response being assembled. */
typedef struct h1_msg {
  bool is_request;
  char *block; /* private copy of the header block, parsed in place */
  const char *method, *target, *reason;
  size_t method_len, target_len, reason_len;
  int minor; /* HTTP/1.<minor> */
  int status;
  h1_hdr *hdrs;
  size_t nhdrs, hcap;
  uint64_t headers_size; /* start line through the blank line */
  uint64_t wire_size;    /* every byte of the message in the stream */
  uint64_t body_size;    /* after transfer decoding, before content decoding */
  bool has_body;         /* framed by Content-Length > 0 or chunked */
  uint8_t *body;         /* transfer-decoded body, at most body_cap bytes */
  size_t body_len, body_cap, body_alloc;
  bool body_cut; /* bytes beyond body_cap, or the end never arrived */
  struct timespec ts;
} h1_msg;

/* A request waiting for its response (or for its own body to end). */
typedef struct h1_pending {
  struct h1_pending *prev, *next;
  json_t *request, *response; /* built when each message completes */
  bool req_done, resp_started, dropped;
  bool is_head, is_connect;
  const char *version; /* "1.1" or "1.0" */
  struct timespec req_ts, resp_ts;
  uint64_t req_size, resp_size;
} h1_pending;

enum h1_state {
  H1_START,      /* expecting a start line */
  H1_BODY_LEN,   /* Content-Length body */
  H1_CHUNK_SIZE, /* chunk-size line */
  H1_CHUNK_DATA, /* chunk bytes */
  H1_CHUNK_END,  /* CRLF after chunk bytes */
  H1_TRAILER,    /* trailer lines after the last chunk */
  H1_BODY_CLOSE, /* body ends when the connection closes */
  H1_RESYNC,     /* looking for a start line after a gap or an error */
  H1_STOPPED     /* protocol switched: nothing more to parse */
};

enum h1_role { H1_ROLE_UNKNOWN, H1_ROLE_CLIENT, H1_ROLE_SERVER };

typedef struct h1_dir {
  uint8_t *buf; /* unconsumed bytes [pos, len) */
  size_t pos, len, cap;
  size_t scan;  /* header-end search resumes here (offset from pos) */
  size_t lscan; /* line-end search resumes here (offset from pos) */
  bool line_ok; /* the line at pos was accepted as a start line */
  enum h1_state state;
  enum h1_role role;
  bool line_start;    /* RESYNC: pos is at the start of a line */
  h1_msg *msg;        /* message being parsed */
  h1_pending *entry;  /* the request this message is (or answers) */
  uint64_t remaining; /* body or chunk bytes still expected */
  uint64_t trailer_bytes;
  struct timespec ts_oldest; /* arrival of the byte at pos */
  size_t feed_start;         /* the current feed's bytes start here */
  struct timespec ts_feed;   /* and arrived then */
} h1_dir;

struct http1_conn {
  http1_limits lim;
  size_t body_cap; /* transfer-decoded bytes kept: max_body plus room for
                      compressed input that decodes to max_body */
  http1_emit_fn emit;
  void *udata;
  http1_stats *stats;
  http1_stats own_stats; /* used when the caller passes none */
  h1_dir dir[2];
  h1_pending *head, *tail;
  uint32_t npending;
  int client_dir; /* -1 until a direction sends a request line */
  bool stopped;
};

/* ---- http1_parse.c: start lines and header blocks ---- */

/* Length of the header block at data (through its blank line), 0 when
 * it is not complete yet.  *scan remembers how far it looked. */
size_t h1_header_end(const uint8_t *data, size_t len, size_t *scan);
/* Parses one complete header block into m (a fresh message).  Returns 0
 * or -1 when the start line is not HTTP/1.x. */
int h1_parse_block(h1_msg *m, const uint8_t *data, size_t len);
/* First header named name (canonical form), NULL if absent. */
const h1_hdr *h1_hdr_find(const h1_msg *m, const char *name);
/* Every value of the header joined with ", " into a new string. */
char *h1_hdr_joined(const h1_msg *m, const char *name, size_t *len);
/* Go's CanonicalMIMEHeaderKey, in place. */
void h1_canonical_name(char *name, size_t len);
h1_msg *h1_msg_new(bool is_request, size_t body_cap);
void h1_msg_free(h1_msg *m);
/* True when the token list value contains tok (case-insensitive). */
bool h1_token_in(const char *value, size_t len, const char *tok);

/* ---- http1_body.c: framing and the per-direction state machine ---- */

/* Consumes what it can of d's buffer. */
void h1_run(http1_conn *c, int dir);
/* Appends transfer-decoded body bytes (kept up to body_cap). */
void h1_body_append(h1_msg *m, const uint8_t *p, size_t n);
/* The current message of d is lost (gap or error): forget it. */
void h1_drop_message(http1_conn *c, h1_dir *d);
/* The connection ended: finish whatever message d was in. */
void h1_finish_at_close(http1_conn *c, int dir);

/* ---- http1.c: pairing and emission ---- */

/* A request's headers were parsed: queue it (NULL when over the cap). */
h1_pending *h1_pending_add(http1_conn *c, const h1_msg *m);
/* First queued request that has no response yet. */
h1_pending *h1_pending_unanswered(http1_conn *c);
void h1_request_done(http1_conn *c, h1_pending *p, h1_msg *m);
void h1_response_done(http1_conn *c, h1_pending *p, h1_msg *m);
/* Removes p from the queue and frees it without emitting. */
void h1_pending_discard(http1_conn *c, h1_pending *p);
/* A protocol switch: emit p now and stop dissecting the connection. */
void h1_stop(http1_conn *c, h1_pending *p, h1_msg *resp);

/* ---- http1_decode.c: Content-Encoding ---- */

typedef struct h1_content {
  uint8_t *data; /* malloc'd, or NULL when len == 0 */
  size_t len;
  bool truncated;
} h1_content;

/* The decoded body of m, cut at max_body. */
int h1_decode_body(const h1_msg *m, size_t max_body, h1_content *out);

/* ---- http1_json.c: item objects ---- */

json_t *h1_json_request(const h1_msg *m, const h1_content *body);
json_t *h1_json_response(const h1_msg *m, const h1_content *body);
json_t *h1_json_headers(const h1_msg *m);

/* ---- http1_form.c: query strings, forms, cookies ---- */

json_t *h1_query_object(const char *q, size_t len);
json_t *h1_urlencoded_params(const uint8_t *body, size_t len);
json_t *h1_multipart_params(const uint8_t *body, size_t len, const char *ctype,
                            size_t ctype_len);
json_t *h1_request_cookies(const h1_msg *m);
json_t *h1_response_cookies(const h1_msg *m);
/* Value of parameter key (lower-case) in a header like
 * `form-data; name="x"`; a new unquoted string or NULL. */
char *h1_header_param(const char *v, size_t len, const char *key,
                      size_t *out_len);

/* ---- http1_text.c: UTF-8, base64, percent-decoding ---- */

/* A new C string of the bytes as valid UTF-8 with no NUL (invalid bytes
 * and NUL become U+FFFD): object keys end up as C strings. */
char *h1_key(const void *data, size_t len);
/* A JSON string of the bytes, invalid UTF-8 bytes replaced by U+FFFD. */
json_t *h1_jstr(const void *data, size_t len);
bool h1_utf8_valid(const uint8_t *p, size_t len);
/* The value of a hex digit, or -1. */
int h1_hexval(char ch);
json_t *h1_base64(const uint8_t *p, size_t len);
/* Percent-decodes in place (plus: '+' becomes a space).  Invalid escapes
 * are kept; *bad tells whether there was one.  Returns the new length. */
size_t h1_unescape(char *s, size_t len, bool plus, bool *bad);
/* Inserts key → value into an object kept sorted by key bytes, joining a
 * repeated key's values with ", ".  Steals value. */
int h1_obj_join(json_t *obj, const char *key, size_t key_len, json_t *value);
/* An object with the same members inserted in byte order of the keys. */
json_t *h1_obj_sorted(json_t *obj);

/* ---- http1_status.c ---- */

/* Standard reason phrase for code, NULL if none. */
const char *h1_reason_phrase(int code);

#endif
