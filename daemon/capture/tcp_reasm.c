/* TCP reassembly of one connection: in-order delivery, out-of-order
 * segments held under caps, retransmissions and overlaps trimmed (the
 * first data wins), holes skipped as gaps when they cannot fill any more.
 * Sequence numbers are compared with serial-number arithmetic; held data
 * always lies within 2^30 of `next`, so the comparisons stay sound. */
#include "config.h"

#include "capture/tcp_reasm.h"

#include <stdlib.h>
#include <string.h>

struct tcp_seg {
  tcp_seg *next;
  uint32_t seq, len;
  struct timespec ts;
  uint8_t data[];
};

/* A TCP window is at most 2^30 bytes (scale 14): data further ahead of
 * the stream is not from this connection. */
#define TCP_WINDOW_MAX (1u << 30)
/* The largest payload an IP packet can carry: bounds the bytes a cut
 * (snaplen) segment is taken to have lost. */
#define TCP_MAX_MISSING 65535u

/* The part of a segment still to place: `len` bytes at `data`, then
 * `miss` bytes that the capture cut off. */
typedef struct seg_view {
  uint32_t seq, len, miss;
  const uint8_t *data;
  const struct timespec *ts;
  bool overlap; /* trimmed against held data: counted once */
} seg_view;

static bool seq_lt(uint32_t a, uint32_t b) {
  return (int32_t)(a - b) < 0;
}

static bool seq_le(uint32_t a, uint32_t b) {
  return (int32_t)(a - b) <= 0;
}

static bool seq_gt(uint32_t a, uint32_t b) {
  return (int32_t)(a - b) > 0;
}

static bool seq_ge(uint32_t a, uint32_t b) {
  return (int32_t)(a - b) >= 0;
}

static uint32_t seg_charge(uint32_t len) {
  return len + FLOW_SEG_OVERHEAD;
}

/* Drops k bytes at the front; false when nothing is left. */
static bool view_trim(seg_view *v, uint32_t k) {
  if ((uint64_t)k >= (uint64_t)v->len + v->miss)
    return false;
  if (k <= v->len) {
    v->data += k;
    v->len -= k;
  } else {
    v->miss -= k - v->len;
    v->len = 0;
  }
  v->seq += k;
  return true;
}

/* Keeps at most k bytes (data first, then the cut-off part). */
static void view_limit(seg_view *v, uint32_t k) {
  if (k <= v->len) {
    v->len = k;
    v->miss = 0;
  } else if (k - v->len < v->miss) {
    v->miss = k - v->len;
  }
}

static void unlink_head(tcp_half *h, const tcp_env *e) {
  tcp_seg *s = h->head;
  h->head = s->next;
  if (!h->head)
    h->tail = NULL;
  h->held_bytes -= seg_charge(s->len);
  h->held_segs--;
  e->st->held_bytes -= seg_charge(s->len);
}

static void deliver(tcp_conn *c, const tcp_env *e, int dir, const uint8_t *data,
                    uint32_t len, const struct timespec *ts) {
  tcp_half *h = &c->half[dir];
  bool gap = h->gap;
  h->gap = false;
  h->next += len;
  c->busy = true;
  e->deliver(e->ctx, dir, data, len, gap, ts);
  c->busy = false;
}

/* Delivers held segments that now start at or before `next`. */
static void drain(tcp_conn *c, const tcp_env *e, int dir) {
  tcp_half *h = &c->half[dir];
  tcp_seg *s;
  while (!c->stopped && (s = h->head) && seq_le(s->seq, h->next)) {
    /* Unlinked first: the callback may stop the flow, which frees the
     * held list once it returns. */
    unlink_head(h, e);
    uint32_t done = h->next - s->seq;
    if (done < s->len)
      deliver(c, e, dir, s->data + done, s->len - done, &s->ts);
    free(s);
  }
}

/* Skips forward to `to` (bytes lost), then delivers what follows. */
static void skip_to(tcp_conn *c, const tcp_env *e, int dir, uint32_t to) {
  tcp_half *h = &c->half[dir];
  if (!seq_gt(to, h->next))
    return;
  e->st->gap_bytes += to - h->next;
  h->next = to;
  h->gap = true;
  drain(c, e, dir);
}

/* Skips the hole before the first held segment. */
static void skip_hole(tcp_conn *c, const tcp_env *e, int dir) {
  if (c->half[dir].head)
    skip_to(c, e, dir, c->half[dir].head->seq);
}

void tcp_conn_release(tcp_conn *c, const tcp_env *e) {
  if (c->busy)
    return; /* a delivery is running: freed when it returns */
  for (int dir = 0; dir < 2; dir++) {
    tcp_half *h = &c->half[dir];
    while (h->head) {
      tcp_seg *s = h->head;
      unlink_head(h, e);
      free(s);
    }
  }
}

void tcp_conn_flush(tcp_conn *c, const tcp_env *e) {
  for (int dir = 0; dir < 2; dir++)
    while (!c->stopped && c->half[dir].head)
      skip_hole(c, e, dir);
  if (c->stopped)
    tcp_conn_release(c, e);
}

/* Walks the held list for the pieces of v not yet held.  With `commit`
 * they are inserted; otherwise only counted (bytes charged, pieces).
 * Returns false if an allocation failed. */
static bool place(tcp_half *h, const tcp_env *e, seg_view *v, bool commit,
                  uint64_t *charge, uint32_t *pieces) {
  tcp_seg **link = &h->head;
  uint32_t s = v->seq, end = v->seq + v->len;
  const uint8_t *d = v->data;
  /* Usual case: the segment goes after everything held. */
  if (h->tail && seq_ge(s, h->tail->seq + h->tail->len))
    link = &h->tail->next;
  while (seq_lt(s, end)) {
    tcp_seg *cur = *link;
    if (cur && seq_le(cur->seq + cur->len, s)) {
      link = &cur->next;
      continue;
    }
    bool covered = cur && seq_lt(cur->seq, end);
    uint32_t stop = covered ? (seq_gt(cur->seq, s) ? cur->seq : s) : end;
    if (seq_lt(s, stop)) {
      uint32_t n = stop - s;
      *charge += seg_charge(n);
      (*pieces)++;
      if (commit) {
        tcp_seg *ns = malloc(sizeof *ns + n);
        if (!ns)
          return false;
        ns->seq = s;
        ns->len = n;
        ns->ts = *v->ts;
        memcpy(ns->data, d, n);
        ns->next = *link;
        *link = ns;
        if (!ns->next)
          h->tail = ns;
        h->held_bytes += seg_charge(n);
        h->held_segs++;
        e->st->held_bytes += seg_charge(n);
        link = &ns->next;
      }
      d += n;
      s = stop;
    }
    if (!covered)
      break;
    /* Bytes already held win over this segment's. */
    v->overlap = true;
    uint32_t cend = cur->seq + cur->len;
    if (seq_ge(cend, end))
      break;
    d += cend - s;
    s = cend;
    link = &cur->next;
  }
  return true;
}

static bool fits(const tcp_half *h, const tcp_env *e, uint64_t charge,
                 uint32_t pieces) {
  return h->held_bytes + charge <= e->max_half_bytes &&
         h->held_segs + pieces <= TCP_MAX_HELD_SEGS &&
         e->st->held_bytes + charge <= e->max_total_bytes;
}

enum { HOLD_DONE, HOLD_RETRY };

/* Keeps an out-of-order segment.  Over a cap, the first hole of this
 * direction is given up (its bytes were lost or the data would wait too
 * long) and the segment is tried again; with nothing held to give up,
 * the segment is dropped. */
static int hold(tcp_conn *c, const tcp_env *e, int dir, seg_view *v) {
  tcp_half *h = &c->half[dir];
  uint64_t charge = 0;
  uint32_t pieces = 0;
  place(h, e, v, false, &charge, &pieces);
  if (!fits(h, e, charge, pieces)) {
    if (!h->head) {
      if (charge > e->max_half_bytes || pieces > TCP_MAX_HELD_SEGS)
        e->st->dropped_flow_cap++;
      else
        e->st->dropped_total_cap++;
      return HOLD_DONE;
    }
    /* The hole ends where the first held data, or this segment, starts. */
    uint32_t to = seq_lt(v->seq, h->head->seq) ? v->seq : h->head->seq;
    skip_to(c, e, dir, to);
    return HOLD_RETRY;
  }
  if (pieces) {
    e->st->out_of_order++;
    if (!place(h, e, v, true, &charge, &pieces))
      e->st->dropped_total_cap++; /* out of memory: what fits is kept */
  }
  return HOLD_DONE;
}

/* Delivers v's bytes up to the first held segment, then what is held. */
static void deliver_front(tcp_conn *c, const tcp_env *e, int dir, seg_view *v) {
  tcp_half *h = &c->half[dir];
  uint32_t n = v->len;
  if (h->head && seq_lt(h->head->seq, v->seq + n))
    n = h->head->seq - v->seq; /* > 0: drain leaves no head at `next` */
  const uint8_t *d = v->data;
  v->data += n;
  v->len -= n;
  v->seq += n;
  if (n)
    deliver(c, e, dir, d, n, v->ts);
  drain(c, e, dir);
}

/* The cut-off tail of an in-order segment is lost: skip it, up to the
 * held data that follows. */
static void skip_missing(tcp_conn *c, const tcp_env *e, int dir,
                         const seg_view *v) {
  tcp_half *h = &c->half[dir];
  uint32_t to = v->seq + v->miss;
  if (h->head && seq_lt(h->head->seq, to))
    to = h->head->seq;
  skip_to(c, e, dir, to);
}

/* Places a segment whose front is at or after `next`. */
static void take(tcp_conn *c, const tcp_env *e, int dir, seg_view *v) {
  tcp_half *h = &c->half[dir];
  while (!c->stopped && (v->len || v->miss)) {
    if (seq_lt(v->seq, h->next)) {
      /* Delivered meanwhile from held data that came first. */
      v->overlap = true;
      if (!view_trim(v, h->next - v->seq))
        break;
    }
    if (v->seq != h->next) {
      if (v->len == 0 || hold(c, e, dir, v) == HOLD_DONE)
        break;
      continue;
    }
    if (v->len == 0) {
      skip_missing(c, e, dir, v);
      break;
    }
    deliver_front(c, e, dir, v);
  }
  if (v->overlap)
    e->st->overlaps++;
}

/* The payload of a segment (data starts at seq). */
static void segment_data(tcp_conn *c, const tcp_env *e, int dir, seg_view *v) {
  tcp_half *h = &c->half[dir];
  /* A keep-alive repeats the byte before `next`: not a retransmission. */
  if ((uint64_t)v->len + v->miss <= 1 && v->seq == h->next - 1)
    return;
  if (h->fin) {
    if (seq_ge(v->seq, h->fin_seq)) {
      e->st->bad_segments++;
      return;
    }
    view_limit(v, h->fin_seq - v->seq);
  }
  if (seq_lt(v->seq, h->next)) {
    e->st->retransmitted++;
    if (!view_trim(v, h->next - v->seq))
      return;
  }
  if ((uint64_t)(v->seq - h->next) + v->len > TCP_WINDOW_MAX) {
    e->st->bad_segments++;
    return;
  }
  take(c, e, dir, v);
}

/* Drops held data at or after the FIN. */
static void cut_after_fin(tcp_half *h, const tcp_env *e) {
  tcp_seg **link = &h->head;
  h->tail = NULL;
  while (*link) {
    tcp_seg *s = *link;
    if (seq_lt(s->seq, h->fin_seq)) {
      uint32_t keep = h->fin_seq - s->seq;
      if (keep < s->len) {
        h->held_bytes -= s->len - keep;
        e->st->held_bytes -= s->len - keep;
        s->len = keep;
        e->st->bad_segments++;
      }
      h->tail = s;
      link = &s->next;
      continue;
    }
    *link = s->next;
    h->held_bytes -= seg_charge(s->len);
    h->held_segs--;
    e->st->held_bytes -= seg_charge(s->len);
    e->st->bad_segments++;
    free(s);
  }
}

static void note_fin(tcp_half *h, const tcp_env *e, uint32_t fin_seq) {
  if (h->fin)
    return; /* a repeated FIN: the first one's position stands */
  if (seq_lt(fin_seq, h->next))
    fin_seq = h->next; /* nonsense, but the side has closed */
  if (fin_seq - h->next > TCP_WINDOW_MAX) {
    e->st->bad_segments++;
    return;
  }
  h->fin = true;
  h->fin_seq = fin_seq;
  cut_after_fin(h, e);
}

static void start_syn(tcp_conn *c, int dir, const pkt *p) {
  tcp_half *h = &c->half[dir], *o = &c->half[dir ^ 1];
  if (!h->started) {
    h->started = h->syn = true;
    h->isn = p->seq;
    h->next = p->seq + 1;
    h->gap = false;
  }
  /* A SYN-ACK tells where the peer's data starts. */
  if ((p->tcp_flags & TCP_ACK) && !o->started) {
    o->started = o->syn = true;
    o->isn = p->ack - 1;
    o->next = p->ack;
    o->gap = false;
  }
}

/* The peer has acknowledged `ack`: bytes before it that we hold no copy
 * of were lost in capture, so holes before held data it covers (and
 * before a FIN it covers) are skipped. */
static void peer_acked(tcp_conn *c, const tcp_env *e, int dir, uint32_t ack) {
  tcp_half *h = &c->half[dir];
  if (!h->started || !seq_gt(ack, h->next) || ack - h->next > TCP_WINDOW_MAX)
    return;
  while (!c->stopped && h->head && seq_ge(ack, h->head->seq))
    skip_hole(c, e, dir);
  if (!c->stopped && !h->head && h->fin && seq_ge(ack, h->fin_seq))
    skip_to(c, e, dir, h->fin_seq);
}

static bool half_done(const tcp_half *h) {
  return h->fin && h->next == h->fin_seq;
}

/* Both sides closed: holes still before held data will not fill; a
 * missing tail just before a FIN may still arrive (reordered). */
static int after_segment(tcp_conn *c, const tcp_env *e) {
  tcp_half *a = &c->half[0], *b = &c->half[1];
  if (c->stopped) {
    tcp_conn_release(c, e);
    return a->fin && b->fin ? TCP_END_FIN : TCP_OPEN;
  }
  if (a->fin && b->fin)
    tcp_conn_flush(c, e);
  if (c->stopped)
    return TCP_END_FIN;
  return half_done(a) && half_done(b) ? TCP_END_FIN : TCP_OPEN;
}

static uint32_t missing_bytes(const pkt *p) {
  if (!p->truncated || p->len <= p->caplen)
    return 0;
  uint32_t m = p->len - p->caplen;
  return m < TCP_MAX_MISSING ? m : TCP_MAX_MISSING;
}

int tcp_conn_segment(tcp_conn *c, const tcp_env *e, int dir, const pkt *p) {
  tcp_half *h = &c->half[dir];
  uint8_t fl = p->tcp_flags;
  if (fl & TCP_RST) {
    tcp_conn_flush(c, e);
    return TCP_END_RST;
  }
  if (fl & TCP_SYN) {
    start_syn(c, dir, p);
  } else if (!h->started) {
    /* Joined mid-stream: this segment sets the start. */
    h->started = true;
    h->next = p->seq;
    h->gap = true;
  }
  if ((fl & TCP_ACK) && !c->stopped)
    peer_acked(c, e, dir ^ 1, p->ack);
  seg_view v = {.seq = p->seq + ((fl & TCP_SYN) ? 1 : 0),
                .len = p->payload ? p->payload_len : 0,
                .miss = missing_bytes(p),
                .data = p->payload,
                .ts = &p->ts};
  if (fl & TCP_FIN)
    note_fin(h, e, v.seq + v.len + v.miss);
  if (!c->stopped && (v.len || v.miss))
    segment_data(c, e, dir, &v);
  return after_segment(c, e);
}

bool tcp_conn_is_new_syn(const tcp_conn *c, int dir, const pkt *p) {
  const tcp_half *h = &c->half[dir];
  if ((p->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
    return false;
  if (c->half[0].fin || c->half[1].fin)
    return true;
  return h->started && !(h->syn && p->seq == h->isn);
}

bool tcp_conn_fin_seen(const tcp_conn *c) {
  return c->half[0].fin || c->half[1].fin;
}
