/* Pairing of queries and responses on one flow by message id.  UDP
 * gets one message per datagram; TCP gets stream bytes framed by 2-byte
 * lengths, several messages per connection.  After a gap the partial
 * message is dropped and parsing resumes at the next offset that holds
 * a plausible length prefix and header. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissect/dns.h"
#include "dissect/dns_int.h"

/* Stream bytes are taken in chunks, so a direction never buffers more
 * than one incomplete message plus one chunk. */
#define TCP_CHUNK 16384

typedef struct pending {
  struct pending *next;
  json_t *request;
  int dir;
  uint16_t id;
  struct timespec ts;
  uint64_t size;
} pending;

typedef struct tcp_dir {
  uint8_t *buf;
  size_t len, cap;
  bool resync;        /* lost our place: look for a message start */
  struct timespec ts; /* when the first buffered byte arrived */
} tcp_dir;

struct dns_conn {
  bool tcp;
  uint32_t max_pending, npending;
  dns_emit_fn emit;
  void *udata;
  dns_stats *stats, own_stats;
  pending *head;
  tcp_dir d[2];
  char errmsg[64];    /* error_msg of a timeout, valid during emit */
  dns_learn_fn learn; /* names from every response, UDP or TCP */
  void *learn_udata;
};

void dns_set_learn(dns_conn *c, dns_learn_fn fn, void *udata) {
  c->learn = fn;
  c->learn_udata = udata;
}

dns_conn *dns_new(bool tcp, uint32_t max_pending, dns_emit_fn emit, void *udata,
                  dns_stats *stats) {
  dns_conn *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  c->tcp = tcp;
  c->max_pending = max_pending ? max_pending : 1;
  c->emit = emit;
  c->udata = udata;
  c->stats = stats ? stats : &c->own_stats;
  return c;
}

static void pending_free(pending *p) {
  json_decref(p->request);
  free(p);
}

void dns_free(dns_conn *c) {
  if (!c)
    return;
  while (c->head) {
    pending *p = c->head;
    c->head = p->next;
    pending_free(p);
  }
  free(c->d[0].buf);
  free(c->d[1].buf);
  free(c);
}

/* Hands one exchange to emit, which takes over both objects. */
static void emit(dns_conn *c, pending *p, json_t *resp,
                 const struct timespec *resp_ts, uint64_t resp_size,
                 const char *etype, const char *emsg) {
  dns_exchange x = {.request = p->request,
                    .response = resp ? resp : json_object(),
                    .client_dir = p->dir,
                    .req_ts = p->ts,
                    .request_size = p->size,
                    .response_size = resp_size,
                    .error_type = etype,
                    .error_msg = emsg};
  if (resp_ts)
    x.resp_ts = *resp_ts;
  p->request = NULL;
  free(p);
  if (!x.response || !c->emit) {
    json_decref(x.request);
    json_decref(x.response);
    return;
  }
  c->stats->exchanges++;
  c->emit(c->udata, &x);
}

/* Unlinks and returns the first pending entry that matches. */
static pending *take(dns_conn *c, int dir, uint16_t id, bool same_dir) {
  for (pending **pp = &c->head; *pp; pp = &(*pp)->next) {
    pending *p = *pp;
    if (p->id == id && (p->dir == dir) == same_dir) {
      *pp = p->next;
      c->npending--;
      return p;
    }
  }
  return NULL;
}

/* A resent query (same id, same questions) keeps the first one. */
static bool is_resend(dns_conn *c, int dir, uint16_t id, json_t *req) {
  for (pending *p = c->head; p; p = p->next)
    if (p->id == id && p->dir == dir && json_equal(p->request, req))
      return true;
  return false;
}

static void on_query(dns_conn *c, int dir, const dns_header *h,
                     const uint8_t *msg, size_t len,
                     const struct timespec *ts) {
  json_t *req = dns_request_json(msg, len);
  pending *p, **tail;
  if (!req) {
    c->stats->malformed++;
    return;
  }
  c->stats->queries++;
  if (is_resend(c, dir, h->id, req) || !(p = calloc(1, sizeof *p))) {
    json_decref(req);
    return;
  }
  if (c->npending >= c->max_pending) { /* cap: the oldest goes */
    pending *old = c->head;
    c->head = old->next;
    c->npending--;
    pending_free(old);
    c->stats->pending_dropped++;
  }
  *p = (pending){NULL, req, dir, h->id, *ts, len};
  for (tail = &c->head; *tail; tail = &(*tail)->next)
    ;
  *tail = p;
  c->npending++;
}

static void on_response(dns_conn *c, int dir, const dns_header *h,
                        const uint8_t *msg, size_t len,
                        const struct timespec *ts) {
  json_t *resp = dns_response_json(msg, len);
  if (!resp) {
    c->stats->malformed++;
    return;
  }
  c->stats->responses++;
  pending *p = take(c, dir, h->id, false);
  if (!p) {
    c->stats->orphan_responses++;
    json_decref(resp);
    return;
  }
  emit(c, p, resp, ts, len, NULL, NULL);
}

static void on_message(dns_conn *c, int dir, const uint8_t *msg, size_t len,
                       const struct timespec *ts) {
  dns_header h;
  if (!dns_parse_header(msg, len, &h)) {
    c->stats->malformed++;
    return;
  }
  if (h.qr && c->learn)
    dns_learn(msg, len, c->learn, c->learn_udata);
  if (h.qr)
    on_response(c, dir, &h, msg, len, ts);
  else
    on_query(c, dir, &h, msg, len, ts);
}

/* During resync: 1 if p starts a message, 0 if more bytes must come
 * before that can be told, -1 if it does not. */
static int msg_start(const uint8_t *p, size_t n) {
  dns_header h;
  size_t mlen;
  if (n < 2 + DNS_HEADER_LEN)
    return 0;
  mlen = (size_t)p[0] << 8 | p[1];
  if (!dns_parse_header(p + 2, n - 2, &h) || !dns_header_sane(&h, mlen))
    return -1;
  if (n - 2 < mlen)
    return 0;
  return dns_probe(p + 2, mlen) ? 1 : -1;
}

/* Takes every complete message out of the buffer, keeps the rest. */
static void tcp_drain(dns_conn *c, int dir, const struct timespec *now) {
  tcp_dir *d = &c->d[dir];
  size_t pos = 0;
  while (d->len - pos >= 2) {
    const uint8_t *p = d->buf + pos;
    size_t mlen = (size_t)p[0] << 8 | p[1];
    if (d->resync) {
      int r = msg_start(p, d->len - pos);
      if (r == 0)
        break;
      if (r < 0) {
        pos++;
        continue;
      }
      d->resync = false;
    }
    if (mlen < DNS_HEADER_LEN) { /* no message is this short: lost sync */
      c->stats->malformed++;
      d->resync = true;
      pos++;
      continue;
    }
    if (d->len - pos - 2 < mlen)
      break;
    on_message(c, dir, p + 2, mlen, &d->ts);
    pos += 2 + mlen;
    d->ts = *now; /* the next message began in the latest bytes */
  }
  memmove(d->buf, d->buf + pos, d->len - pos);
  d->len -= pos;
}

static int tcp_append(tcp_dir *d, const uint8_t *data, size_t n) {
  if (d->len + n > d->cap) {
    size_t cap = d->len + n + 1024;
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

static void tcp_feed(dns_conn *c, int dir, const uint8_t *data, size_t len,
                     bool gap, const struct timespec *ts) {
  tcp_dir *d = &c->d[dir];
  if (gap) {
    d->len = 0;
    d->resync = true;
  }
  while (len > 0) {
    size_t n = len < TCP_CHUNK ? len : TCP_CHUNK;
    if (d->len == 0)
      d->ts = *ts;
    if (tcp_append(d, data, n) < 0) { /* no memory: lose this stretch */
      d->len = 0;
      d->resync = true;
      return;
    }
    tcp_drain(c, dir, ts);
    data += n;
    len -= n;
  }
}

void dns_feed(dns_conn *c, int dir, const uint8_t *data, size_t len, bool gap,
              const struct timespec *ts) {
  static const struct timespec zero;
  if (!c || (!data && len))
    return;
  dir = dir ? 1 : 0;
  ts = ts ? ts : &zero;
  if (c->tcp)
    tcp_feed(c, dir, data, len, gap, ts);
  else
    on_message(c, dir, data, len, ts);
}

void dns_close(dns_conn *c, const struct timespec *ts) {
  (void)ts; /* unanswered items keep their request's time */
  if (!c)
    return;
  c->d[0].len = c->d[1].len = 0;
  while (c->head) {
    pending *p = c->head;
    c->head = p->next;
    c->npending--;
    emit(c, p, NULL, NULL, 0, "pair-not-found",
         "connection closed before a response");
  }
}

static int64_t elapsed_ms(const struct timespec *from,
                          const struct timespec *to) {
  return ((int64_t)to->tv_sec - from->tv_sec) * 1000 +
         ((int64_t)to->tv_nsec - from->tv_nsec) / 1000000;
}

void dns_expire(dns_conn *c, const struct timespec *now, uint32_t timeout_ms) {
  if (!c || !now)
    return;
  if (timeout_ms % 1000 == 0)
    snprintf(c->errmsg, sizeof c->errmsg, "no response within %lus",
             (unsigned long)timeout_ms / 1000);
  else
    snprintf(c->errmsg, sizeof c->errmsg, "no response within %lums",
             (unsigned long)timeout_ms);
  pending **pp = &c->head;
  while (*pp) {
    pending *p = *pp;
    if (elapsed_ms(&p->ts, now) < (int64_t)timeout_ms) {
      pp = &p->next;
      continue;
    }
    *pp = p->next;
    c->npending--;
    emit(c, p, NULL, NULL, 0, "timeout", c->errmsg);
  }
}
