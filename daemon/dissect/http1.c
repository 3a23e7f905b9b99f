/* HTTP/1.x connections: input buffering per direction, the queue of
 * requests waiting for responses, and emission of finished exchanges
 * (answered, or unanswered with an error after close or timeout). */
#include "config.h"

#include "dissect/http1_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_BODY 65536
#define DEFAULT_MAX_HEADER (64 * 1024)
#define DEFAULT_MAX_PENDING 64
/* Bytes appended to a direction's buffer at a time, so a large segment
 * never makes the buffer grow beyond a header block plus this. */
#define FEED_SLICE 65536

http1_conn *http1_new(const http1_limits *limits, http1_emit_fn emit,
                      void *udata, http1_stats *stats) {
  http1_conn *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  if (limits)
    c->lim = *limits;
  if (!c->lim.max_body)
    c->lim.max_body = DEFAULT_MAX_BODY;
  if (!c->lim.max_header_bytes)
    c->lim.max_header_bytes = DEFAULT_MAX_HEADER;
  if (!c->lim.max_pending)
    c->lim.max_pending = DEFAULT_MAX_PENDING;
  /* compressed input a bit larger than its output (stored blocks,
   * headers) must still decode to max_body bytes */
  size_t slack = c->lim.max_body / 4 + 1024;
  c->body_cap =
      c->lim.max_body > SIZE_MAX - slack ? SIZE_MAX : c->lim.max_body + slack;
  c->emit = emit;
  c->udata = udata;
  c->stats = stats ? stats : &c->own_stats;
  c->client_dir = -1;
  return c;
}

static void free_pending(h1_pending *p) {
  json_decref(p->request);
  json_decref(p->response);
  free(p);
}

void http1_free(http1_conn *c) {
  if (!c)
    return;
  for (int i = 0; i < 2; i++) {
    h1_msg_free(c->dir[i].msg);
    free(c->dir[i].buf);
  }
  while (c->head) {
    h1_pending *p = c->head;
    c->head = p->next;
    free_pending(p);
  }
  free(c);
}

/* ---- the pending queue ---- */

h1_pending *h1_pending_add(http1_conn *c, const h1_msg *m) {
  if (c->npending >= c->lim.max_pending) {
    c->stats->pending_dropped++;
    return NULL;
  }
  h1_pending *p = calloc(1, sizeof *p);
  if (!p) {
    c->stats->pending_dropped++;
    return NULL;
  }
  p->is_head = m->method_len == 4 && memcmp(m->method, "HEAD", 4) == 0;
  p->is_connect = m->method_len == 7 && memcmp(m->method, "CONNECT", 7) == 0;
  p->version = m->minor ? "1.1" : "1.0";
  p->req_ts = m->ts;
  p->prev = c->tail;
  if (c->tail)
    c->tail->next = p;
  else
    c->head = p;
  c->tail = p;
  c->npending++;
  return p;
}

h1_pending *h1_pending_unanswered(http1_conn *c) {
  for (h1_pending *p = c->head; p; p = p->next)
    if (!p->resp_started)
      return p;
  return NULL;
}

static void unlink_pending(http1_conn *c, h1_pending *p) {
  if (p->prev)
    p->prev->next = p->next;
  else
    c->head = p->next;
  if (p->next)
    p->next->prev = p->prev;
  else
    c->tail = p->prev;
  c->npending--;
  for (int i = 0; i < 2; i++)
    if (c->dir[i].entry == p)
      c->dir[i].entry = NULL;
}

void h1_pending_discard(http1_conn *c, h1_pending *p) {
  unlink_pending(c, p);
  free_pending(p);
}

/* Hands p to the callback (which takes request and response) and frees
 * it.  A request that could not be built (memory) is not emitted. */
static void emit(http1_conn *c, h1_pending *p, const char *type,
                 const char *msg) {
  unlink_pending(c, p);
  if (!p->request) {
    free_pending(p);
    return;
  }
  http1_exchange x = {
      .request = p->request,
      .response = p->response ? p->response : json_object(),
      .client_dir = c->client_dir,
      .req_ts = p->req_ts,
      .resp_ts = p->response ? p->resp_ts : (struct timespec){0, 0},
      .request_size = p->req_size,
      .response_size = p->response ? p->resp_size : 0,
      .version = p->version,
      .error_type = type,
      .error_msg = msg,
  };
  p->request = p->response = NULL;
  free(p);
  c->stats->exchanges++;
  if (c->emit)
    c->emit(c->udata, &x);
  else {
    json_decref(x.request);
    json_decref(x.response);
  }
}

/* Builds the JSON of a complete message (body decoded and cut). */
static json_t *build(http1_conn *c, const h1_msg *m, uint64_t *size) {
  h1_content b;
  if (h1_decode_body(m, c->lim.max_body, &b) < 0)
    return NULL;
  if (b.truncated)
    c->stats->truncated_bodies++;
  json_t *j = m->is_request ? h1_json_request(m, &b) : h1_json_response(m, &b);
  free(b.data);
  *size = m->wire_size;
  return j;
}

void h1_request_done(http1_conn *c, h1_pending *p, h1_msg *m) {
  if (p && !p->dropped) {
    p->request = build(c, m, &p->req_size);
    p->req_done = true;
    if (p->response)
      emit(c, p, NULL, NULL);
  } else if (p && (p->response || (p->resp_started && c->dir[0].entry != p &&
                                   c->dir[1].entry != p)))
    h1_pending_discard(c, p); /* cut, and its response came or was lost */
  else if (p)
    p->req_done = true; /* its response still has to be consumed */
  h1_msg_free(m);
}

void h1_response_done(http1_conn *c, h1_pending *p, h1_msg *m) {
  if (!p)
    c->stats->orphan_responses++;
  else if (p->dropped)
    h1_pending_discard(c, p);
  else {
    p->response = build(c, m, &p->resp_size);
    if (!p->response)
      h1_pending_discard(c, p);
    else if (p->req_done)
      emit(c, p, NULL, NULL);
  }
  h1_msg_free(m);
}

void h1_stop(http1_conn *c, h1_pending *p, h1_msg *resp) {
  int cd = c->client_dir;
  if (p && cd >= 0 && c->dir[cd].entry == p)
    h1_finish_at_close(c, cd); /* the request ends where the switch is */
  h1_response_done(c, p, resp);
  c->stopped = true;
  for (int i = 0; i < 2; i++) {
    h1_drop_message(c, &c->dir[i]);
    c->dir[i].state = H1_STOPPED;
  }
}

/* ---- input ---- */

static int append(h1_dir *d, const uint8_t *data, size_t n) {
  if (d->pos) {
    memmove(d->buf, d->buf + d->pos, d->len - d->pos);
    d->len -= d->pos;
    d->pos = 0;
  }
  if (d->len + n > d->cap) {
    size_t cap = d->cap ? d->cap : 4096;
    while (cap < d->len + n)
      cap *= 2;
    uint8_t *b = realloc(d->buf, cap);
    if (!b)
      return -1;
    d->buf = b;
    d->cap = cap;
  }
  memcpy(d->buf + d->len, data, n);
  d->len += n;
  return 0;
}

/* Releases a large buffer once it is empty again. */
static void shrink(h1_dir *d) {
  if (d->pos == d->len && d->cap > 2 * FEED_SLICE) {
    free(d->buf);
    d->buf = NULL;
    d->cap = 0;
  }
  if (d->pos == d->len)
    d->pos = d->len = 0; /* scan offsets are relative to pos: still 0 */
}

static void on_gap(http1_conn *c, h1_dir *d) {
  h1_drop_message(c, d);
  d->pos = d->len = 0;
  d->scan = d->lscan = 0;
  d->line_ok = false;
  d->state = H1_RESYNC;
  d->line_start = true; /* the lost bytes most likely ended a segment */
}

static void feed_slice(http1_conn *c, int dir, const uint8_t *data, size_t n,
                       const struct timespec *ts) {
  h1_dir *d = &c->dir[dir];
  if (d->pos == d->len)
    d->ts_oldest = *ts;
  if (append(d, data, n) < 0) {
    on_gap(c, d); /* out of memory: treated like lost bytes */
    return;
  }
  d->feed_start = d->len - n;
  d->ts_feed = *ts;
  h1_run(c, dir);
  if (d->pos > d->feed_start)
    d->ts_oldest = *ts;
  shrink(d);
}

bool http1_feed(http1_conn *c, int dir, const uint8_t *data, size_t len,
                bool gap, const struct timespec *ts) {
  static const struct timespec zero;
  if (!c || dir < 0 || dir > 1 || c->stopped)
    return c && !c->stopped;
  if (!ts)
    ts = &zero;
  if (gap)
    on_gap(c, &c->dir[dir]);
  while (len && !c->stopped) {
    size_t n = len > FEED_SLICE ? FEED_SLICE : len;
    feed_slice(c, dir, data, n, ts);
    data += n;
    len -= n;
  }
  return !c->stopped;
}

/* ---- end of the connection, timeouts ---- */

void http1_close(http1_conn *c, const struct timespec *ts) {
  (void)ts;
  if (!c)
    return;
  if (!c->stopped) {
    /* requests first, so a response that ends here finds them done */
    int first = c->client_dir >= 0 ? c->client_dir : 0;
    h1_finish_at_close(c, first);
    h1_finish_at_close(c, 1 - first);
  }
  while (c->head) {
    h1_pending *p = c->head;
    if (p->dropped || !p->req_done)
      h1_pending_discard(c, p);
    else
      emit(c, p, "pair-not-found", "connection closed before a response");
  }
}

static int64_t elapsed_ms(const struct timespec *from,
                          const struct timespec *to) {
  return ((int64_t)to->tv_sec - (int64_t)from->tv_sec) * 1000 +
         ((int64_t)to->tv_nsec - (int64_t)from->tv_nsec) / 1000000;
}

void http1_expire(http1_conn *c, const struct timespec *now,
                  uint32_t timeout_ms) {
  if (!c || !now)
    return;
  char msg[64];
  if (timeout_ms % 1000 == 0)
    snprintf(msg, sizeof msg, "no response within %us", timeout_ms / 1000);
  else
    snprintf(msg, sizeof msg, "no response within %ums", timeout_ms);
  h1_pending *p = c->head;
  while (p) {
    h1_pending *next = p->next;
    bool old = elapsed_ms(&p->req_ts, now) > (int64_t)timeout_ms;
    if (old && !p->resp_started && p->req_done) {
      if (p->dropped)
        h1_pending_discard(c, p);
      else
        emit(c, p, "timeout", msg);
    }
    p = next;
  }
}
