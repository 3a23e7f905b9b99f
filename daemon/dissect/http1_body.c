/* The per-direction state machine: start line and headers, then the body
 * framed by Content-Length, chunked encoding (trailers skipped) or the
 * connection's end; messages without a body (HEAD, 1xx, 204, 304);
 * resynchronisation after a gap or an unparsable message. */
#include "config.h"

#include "dissect/http1_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_CHUNK_LINE 4096
#define MAX_LENGTH (UINT64_C(1) << 53) /* item sizes stay exact in JS */

static size_t avail(const h1_dir *d) {
  return d->len - d->pos;
}

static const uint8_t *cur(const h1_dir *d) {
  return d->buf + d->pos;
}

/* Moves pos; the searches that remember how far they looked restart. */
static void advance(h1_dir *d, size_t n) {
  d->pos += n;
  d->scan = d->lscan = 0;
  d->line_ok = false;
}

/* Bytes of the current message leave the buffer. */
static void consume(h1_dir *d, size_t n) {
  advance(d, n);
  if (d->msg)
    d->msg->wire_size += n;
}

/* Length of the line at pos including its '\n', 0 if incomplete.  The
 * search resumes where the last one stopped, so feeding a long line
 * byte by byte stays linear. */
static size_t line_len(h1_dir *d) {
  const uint8_t *nl = memchr(cur(d) + d->lscan, '\n', avail(d) - d->lscan);
  if (!nl) {
    d->lscan = avail(d);
    return 0;
  }
  return (size_t)(nl - cur(d)) + 1;
}

void h1_body_append(h1_msg *m, const uint8_t *p, size_t n) {
  m->body_size += n;
  size_t room = m->body_cap - m->body_len;
  if (n > room) {
    m->body_cut = true;
    n = room;
  }
  if (!n)
    return;
  if (m->body_len + n > m->body_alloc) {
    size_t want = m->body_alloc ? m->body_alloc : 1024;
    while (want < m->body_len + n)
      want *= 2;
    if (want > m->body_cap)
      want = m->body_cap;
    uint8_t *b = realloc(m->body, want);
    if (!b) {
      m->body_cut = true;
      return;
    }
    m->body = b;
    m->body_alloc = want;
  }
  memcpy(m->body + m->body_len, p, n);
  m->body_len += n;
}

/* The message is complete: hand it to the pairing code. */
static void finish(http1_conn *c, h1_dir *d) {
  h1_msg *m = d->msg;
  h1_pending *p = d->entry;
  d->msg = NULL;
  d->entry = NULL;
  d->state = H1_START;
  if (m->is_request)
    h1_request_done(c, p, m);
  else
    h1_response_done(c, p, m);
}

static void lose_entry(http1_conn *c, h1_dir *d) {
  h1_pending *p = d->entry;
  d->entry = NULL;
  if (!p)
    return;
  h1_dir *other = &c->dir[0] == d ? &c->dir[1] : &c->dir[0];
  if (d->role == H1_ROLE_CLIENT && !p->response) {
    /* its response may still come: keep a placeholder that consumes it,
     * so that later responses are not paired with the wrong request */
    p->dropped = true;
    p->req_done = true;
  } else if (other->entry == p)
    p->dropped = true; /* the request is still being parsed */
  else
    h1_pending_discard(c, p);
}

void h1_drop_message(http1_conn *c, h1_dir *d) {
  h1_msg_free(d->msg);
  d->msg = NULL;
  lose_entry(c, d);
}

/* Unparsable input: count it, drop the message, and look for the next
 * start line, from pos when it is a line start (after a header block),
 * else after the current line. */
static bool fail_at(http1_conn *c, h1_dir *d, bool line_start) {
  c->stats->parse_errors++;
  h1_drop_message(c, d);
  d->state = H1_RESYNC;
  d->line_start = line_start;
  return true;
}

static bool fail(http1_conn *c, h1_dir *d) {
  return fail_at(c, d, false);
}

/* Content-Length: digits only; repeated values must agree. */
static int content_length(const h1_msg *m, uint64_t *out) {
  bool seen = false;
  for (size_t i = 0; i < m->nhdrs; i++) {
    const h1_hdr *h = &m->hdrs[i];
    if (h->name_len != 14 || memcmp(h->name, "Content-Length", 14) != 0)
      continue;
    const char *v = h->value, *end = v + h->value_len;
    while (v < end) {
      uint64_t n = 0;
      const char *d0;
      while (v < end && (*v == ' ' || *v == '\t'))
        v++;
      for (d0 = v; v < end && *v >= '0' && *v <= '9'; v++) {
        n = n * 10 + (uint64_t)(*v - '0');
        if (n > MAX_LENGTH)
          return -1;
      }
      while (v < end && (*v == ' ' || *v == '\t'))
        v++;
      if (v == d0 || (v < end && *v != ',') || (seen && n != *out))
        return -1;
      *out = n;
      seen = true;
      if (v < end)
        v++;
    }
  }
  return seen ? 1 : 0;
}

/* Chunked when "chunked" is the last transfer coding. */
static int transfer_chunked(const h1_msg *m) {
  size_t len;
  char *te = h1_hdr_joined(m, "Transfer-Encoding", &len);
  if (!te)
    return -1;
  size_t end = len;
  while (end && (te[end - 1] == ' ' || te[end - 1] == '\t'))
    end--;
  size_t start = end;
  while (start && te[start - 1] != ',')
    start--;
  bool chunked = h1_token_in(te + start, end - start, "chunked");
  free(te);
  return chunked ? 1 : 0;
}

/* Sets the state for the body that follows the headers of d->msg. */
static bool frame_body(http1_conn *c, h1_dir *d, bool close_ok) {
  h1_msg *m = d->msg;
  int te = transfer_chunked(m);
  uint64_t cl = 0;
  int has_cl = content_length(m, &cl);
  if (te == 1) {
    m->has_body = true;
    d->state = H1_CHUNK_SIZE;
  } else if (te == 0 && close_ok) {
    d->state = H1_BODY_CLOSE;
  } else if (te == 0 || has_cl < 0) {
    return fail_at(c, d, true);
  } else if (has_cl && cl > 0) {
    m->has_body = true;
    d->remaining = cl;
    d->state = H1_BODY_LEN;
  } else if (!has_cl && close_ok) {
    d->state = H1_BODY_CLOSE;
  } else
    finish(c, d);
  return true;
}

static bool request_headers(http1_conn *c, h1_dir *d) {
  c->stats->requests++;
  d->entry = h1_pending_add(c, d->msg);
  return frame_body(c, d, false);
}

static bool response_headers(http1_conn *c, h1_dir *d) {
  h1_msg *m = d->msg;
  if (m->status < 200 && m->status != 101) {
    /* interim (100 Continue, 103 Early Hints): the real answer follows */
    h1_msg_free(m);
    d->msg = NULL;
    return true;
  }
  c->stats->responses++;
  h1_pending *p = h1_pending_unanswered(c);
  if (p) {
    p->resp_started = true;
    p->resp_ts = m->ts;
  }
  d->entry = p;
  if (m->status == 101 || (p && p->is_connect && m->status / 100 == 2)) {
    d->msg = NULL;
    d->entry = NULL;
    h1_stop(c, p, m);
    return false;
  }
  if ((p && p->is_head) || m->status == 204 || m->status == 304) {
    finish(c, d);
    return true;
  }
  return frame_body(c, d, true);
}

/* Which side sent a message decides the roles of both directions. */
static bool role_ok(http1_conn *c, int dir, bool is_request) {
  enum h1_role want = is_request ? H1_ROLE_CLIENT : H1_ROLE_SERVER;
  h1_dir *d = &c->dir[dir];
  if (d->role == H1_ROLE_UNKNOWN) {
    d->role = want;
    c->dir[1 - dir].role = is_request ? H1_ROLE_SERVER : H1_ROLE_CLIENT;
    c->client_dir = is_request ? dir : 1 - dir;
  }
  return d->role == want;
}

static bool step_start(http1_conn *c, int dir) {
  h1_dir *d = &c->dir[dir];
  size_t skip = 0;
  while (skip < avail(d) && (cur(d)[skip] == '\r' || cur(d)[skip] == '\n'))
    skip++;
  if (skip)
    advance(d, skip); /* blank lines between messages belong to none */
  size_t n = avail(d);
  if (!n)
    return false;
  if (!d->line_ok) {
    /* refuse a bad start line before waiting for a whole header block */
    size_t ll = line_len(d);
    if ((ll && !http1_probe(cur(d), ll)) ||
        (!ll && n > c->lim.max_header_bytes))
      return fail(c, d);
    d->line_ok = ll != 0;
  }
  size_t end = h1_header_end(cur(d), n, &d->scan);
  if (!end || end > c->lim.max_header_bytes)
    return n >= c->lim.max_header_bytes || end ? fail(c, d) : false;
  bool is_request = memcmp(cur(d), "HTTP/", 5) != 0;
  if (!role_ok(c, dir, is_request))
    return fail(c, d);
  d->msg = h1_msg_new(is_request, c->body_cap);
  if (!d->msg || h1_parse_block(d->msg, cur(d), end) < 0)
    return fail(c, d);
  d->msg->ts = d->pos >= d->feed_start ? d->ts_feed : d->ts_oldest;
  advance(d, end);
  d->msg->wire_size = end;
  return is_request ? request_headers(c, d) : response_headers(c, d);
}

static bool step_fixed(http1_conn *c, h1_dir *d) {
  size_t n = avail(d);
  if (!n)
    return false;
  if (n > d->remaining)
    n = (size_t)d->remaining;
  h1_body_append(d->msg, cur(d), n);
  consume(d, n);
  d->remaining -= n;
  if (d->remaining == 0) {
    if (d->state == H1_CHUNK_DATA)
      d->state = H1_CHUNK_END;
    else
      finish(c, d);
  }
  return true;
}

/* chunk-size [ws] [; extensions] CRLF */
static bool step_chunk_size(http1_conn *c, h1_dir *d) {
  size_t ll = line_len(d);
  if (!ll)
    return avail(d) > MAX_CHUNK_LINE ? fail(c, d) : false;
  const uint8_t *p = cur(d);
  uint64_t size = 0;
  size_t i = 0;
  for (; i < ll && h1_hexval((char)p[i]) >= 0; i++) {
    size = size << 4 | (uint64_t)h1_hexval((char)p[i]);
    if (size > MAX_LENGTH)
      return fail(c, d);
  }
  if (i == 0)
    return fail(c, d);
  while (p[i] == ' ' || p[i] == '\t')
    i++;
  if (p[i] != ';' && p[i] != '\r' && p[i] != '\n')
    return fail(c, d);
  consume(d, ll);
  d->remaining = size;
  d->trailer_bytes = 0;
  d->state = size ? H1_CHUNK_DATA : H1_TRAILER;
  return true;
}

static bool step_chunk_end(http1_conn *c, h1_dir *d) {
  size_t n = avail(d);
  if (!n)
    return false;
  if (cur(d)[0] == '\n') {
    consume(d, 1);
  } else if (cur(d)[0] != '\r') {
    return fail(c, d);
  } else if (n < 2) {
    return false;
  } else if (cur(d)[1] != '\n') {
    return fail(c, d);
  } else
    consume(d, 2);
  d->state = H1_CHUNK_SIZE;
  return true;
}

/* Trailer fields are skipped up to the blank line. */
static bool step_trailer(http1_conn *c, h1_dir *d) {
  size_t ll = line_len(d);
  if (!ll)
    return d->trailer_bytes + avail(d) > c->lim.max_header_bytes ? fail(c, d)
                                                                 : false;
  bool blank = ll == 1 || (ll == 2 && cur(d)[0] == '\r');
  consume(d, ll);
  d->trailer_bytes += ll;
  if (blank)
    finish(c, d);
  else if (d->trailer_bytes > c->lim.max_header_bytes)
    return fail(c, d);
  return true;
}

/* Skips to the next line that http1_probe accepts as a start line. */
static bool step_resync(http1_conn *c, h1_dir *d) {
  size_t ll = line_len(d);
  if (!ll) {
    if (!d->line_start || avail(d) > c->lim.max_header_bytes) {
      advance(d, avail(d));
      d->line_start = false;
    }
    return false;
  }
  if (d->line_start && http1_probe(cur(d), ll)) {
    d->state = H1_START;
    d->line_ok = true;
    return true;
  }
  advance(d, ll);
  d->line_start = true;
  return true;
}

static bool step(http1_conn *c, int dir) {
  h1_dir *d = &c->dir[dir];
  switch (d->state) {
  case H1_START:
    return step_start(c, dir);
  case H1_BODY_LEN:
  case H1_CHUNK_DATA:
    return step_fixed(c, d);
  case H1_CHUNK_SIZE:
    return step_chunk_size(c, d);
  case H1_CHUNK_END:
    return step_chunk_end(c, d);
  case H1_TRAILER:
    return step_trailer(c, d);
  case H1_BODY_CLOSE:
    h1_body_append(d->msg, cur(d), avail(d));
    consume(d, avail(d));
    return false;
  case H1_RESYNC:
    return step_resync(c, d);
  case H1_STOPPED:
    advance(d, avail(d));
    return false;
  }
  return false;
}

void h1_run(http1_conn *c, int dir) {
  while (!c->stopped && step(c, dir))
    ;
  if (c->stopped)
    c->dir[dir].pos = c->dir[dir].len;
}

void h1_finish_at_close(http1_conn *c, int dir) {
  h1_dir *d = &c->dir[dir];
  switch (d->state) {
  case H1_BODY_CLOSE:
    finish(c, d);
    break;
  case H1_BODY_LEN:
  case H1_CHUNK_SIZE:
  case H1_CHUNK_DATA:
  case H1_CHUNK_END:
  case H1_TRAILER:
    d->msg->body_cut = true; /* the rest never came */
    finish(c, d);
    break;
  default:
    h1_drop_message(c, d);
    break;
  }
}
