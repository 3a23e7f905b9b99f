#include "config.h"

#include "capture/streams.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"
#include "resolve.h"
#include "store/pcap_store.h"

/* How far into a TCP stream we look for the start of an HTTP message
 * before giving up on it (connections already open, odd protocols). */
#define PROBE_LIMIT (256 * 1024)

enum stream_kind { S_UNKNOWN, S_HTTP, S_DNS, S_OTHER };

struct stream {
  capture_side *cs;
  flow *f;
  uint64_t id;
  bool udp;
  enum stream_kind kind;
  http1_conn *http;
  dns_conn *dns;
  uint64_t next_index, probed;
  stream *prev, *next; /* in cs->live */
};

/* ---- items out ---- */

static void push_item(capture_side *cs, json_t *item) {
  event ev = {EV_ITEM, item};
  cs->c.items++;
  if (cs->wait)
    queue_push_wait(cs->q, ev);
  else if (!queue_try_push(cs->q, ev))
    cs->c.dropped_items++;
}

static void emit(stream *s, item_parts *p) {
  capture_side *cs = s->cs;
  int client = p->client == flow_addr(s->f, 0) ? 0 : 1;
  p->server = flow_addr(s->f, 1 - client);
  p->client_port = flow_port(s->f, client);
  p->server_port = flow_port(s->f, 1 - client);
  p->stream = s->id;
  p->index = s->next_index++;
  if (cs->store)
    pcap_store_flush(cs->store, s->id, s->udp);
  if (cs->names_lock)
    pthread_mutex_lock(cs->names_lock);
  json_t *item = item_build(&cs->items, p);
  if (cs->names_lock)
    pthread_mutex_unlock(cs->names_lock);
  push_item(cs, item);
}

/* The fields an HTTP and a DNS exchange share, by the same names. */
#define EXCHANGE_PARTS(s, x)                                                   \
  .client = flow_addr((s)->f, (x)->client_dir), .req_ts = (x)->req_ts,         \
  .resp_ts = (x)->resp_ts, .request = (x)->request, .response = (x)->response, \
  .request_size = (x)->request_size, .response_size = (x)->response_size,      \
  .error_type = (x)->error_type, .error_msg = (x)->error_msg

static void http_emit(void *udata, http1_exchange *x) {
  stream *s = udata;
  item_parts p = {.proto = x->version && strcmp(x->version, "1.0") == 0
                               ? ITEM_HTTP10
                               : ITEM_HTTP11,
                  .tcp = true,
                  EXCHANGE_PARTS(s, x)};
  emit(s, &p);
}

static void dns_emit(void *udata, dns_exchange *x) {
  stream *s = udata;
  item_parts p = {.proto = ITEM_DNS, .tcp = !s->udp, EXCHANGE_PARTS(s, x)};
  emit(s, &p);
}

/* ---- stream lifetime ---- */

static void link_live(stream *s) {
  capture_side *cs = s->cs;
  s->next = cs->live;
  if (cs->live)
    cs->live->prev = s;
  cs->live = s;
}

static void unlink_live(stream *s) {
  capture_side *cs = s->cs;
  if (s->prev)
    s->prev->next = s->next;
  else if (cs->live == s)
    cs->live = s->next;
  if (s->next)
    s->next->prev = s->prev;
  s->prev = s->next = NULL;
}

static bool dns_port(const stream *s) {
  uint16_t p = s->cs->opts->dns_port;
  return flow_port(s->f, 0) == p || flow_port(s->f, 1) == p;
}

/* A name from a DNS answer (UDP or TCP), into the name table. */
static void learn(void *udata, int family, const uint8_t *addr,
                  const char *name) {
  capture_side *cs = udata;
  wh_addr a = {.family = (uint8_t)family};
  memcpy(a.bytes, addr, family == 4 ? 4 : 16);
  if (cs->names_lock)
    pthread_mutex_lock(cs->names_lock);
  resolver_learn(cs->items.names, &a, name, "", cs->last_tick.tv_sec);
  if (cs->names_lock)
    pthread_mutex_unlock(cs->names_lock);
}

static void become(stream *s, enum stream_kind kind) {
  capture_side *cs = s->cs;
  s->kind = kind;
  if (kind == S_HTTP) {
    http1_limits lim = {.max_body = cs->opts->max_body};
    s->http = http1_new(&lim, http_emit, s, &cs->http);
  } else if (kind == S_DNS) {
    s->dns = dns_new(!s->udp, 64, dns_emit, s, &cs->dns);
    if (s->dns && cs->learn_dns && cs->items.names)
      dns_set_learn(s->dns, learn, cs);
  }
  if (kind == S_HTTP || kind == S_DNS)
    link_live(s);
  if (kind == S_OTHER && !s->udp) {
    cs->c.not_dissected++;
    flow_stop_data(s->f);
  }
}

static void *on_open(void *udata, flow *f, const pkt *first) {
  stream *s = calloc(1, sizeof(*s));
  if (!s)
    return NULL;
  s->cs = udata;
  s->f = f;
  s->id = flow_id(f);
  s->udp = flow_proto(f) == 17;
  return s;
}

static void on_packet(void *udata, flow *f, const pkt *p) {
  capture_side *cs = udata;
  stream *s = flow_user(f);
  if (cs->store && s)
    pcap_store_write(cs->store, s->id, s->udp, &p->ts, p->frame, p->caplen,
                     p->len);
}

static void on_tcp(void *udata, flow *f, int dir, const uint8_t *data,
                   uint32_t len, bool gap, const struct timespec *ts) {
  stream *s = flow_user(f);
  if (!s)
    return;
  if (s->kind == S_UNKNOWN) {
    if (http1_probe(data, len))
      become(s, S_HTTP);
    else if (dns_port(s))
      become(s, S_DNS);
    else if ((s->probed += len) > PROBE_LIMIT)
      become(s, S_OTHER);
  }
  if (s->kind == S_HTTP && !http1_feed(s->http, dir, data, len, gap, ts))
    flow_stop_data(f);
  else if (s->kind == S_DNS)
    dns_feed(s->dns, dir, data, len, gap, ts);
}

static void on_udp(void *udata, flow *f, int dir, const uint8_t *data,
                   uint32_t len, const struct timespec *ts) {
  stream *s = flow_user(f);
  if (!s)
    return;
  if (s->kind == S_UNKNOWN)
    become(s, dns_port(s) || dns_probe(data, len) ? S_DNS : S_OTHER);
  if (s->kind != S_DNS)
    return;
  dns_feed(s->dns, dir, data, len, false, ts);
}

static void on_close(void *udata, flow *f, enum flow_end why,
                     const struct timespec *ts) {
  capture_side *cs = udata;
  stream *s = flow_user(f);
  if (!s)
    return;
  if (s->http)
    http1_close(s->http, ts);
  if (s->dns)
    dns_close(s->dns, ts);
  if (s->kind == S_HTTP || s->kind == S_DNS)
    unlink_live(s);
  http1_free(s->http);
  dns_free(s->dns);
  if (cs->store)
    pcap_store_end(cs->store, s->id, s->udp);
  free(s);
}

/* ---- the side as a whole ---- */

int capture_side_init(capture_side *cs) {
  const capture_opts *o = cs->opts;
  decode_limits dl = {.max_fragments = o->max_fragments,
                      .max_fragment_bytes = 16u << 20,
                      .fragment_timeout_ms = o->fragment_timeout_ms};
  flow_limits fl = {.max_flows = o->max_flows,
                    .max_flow_bytes = o->max_flow_bytes,
                    .max_total_bytes = o->max_total_bytes,
                    .tcp_idle_ms = o->flow_timeout_ms,
                    .udp_idle_ms = 60000};
  flow_callbacks cb = {.udata = cs,
                       .open = on_open,
                       .packet = on_packet,
                       .tcp_data = on_tcp,
                       .udp_data = on_udp,
                       .close = on_close};
  cs->dec = decoder_new(&dl);
  cs->flows = flow_table_new(&fl, &cb);
  return cs->dec && cs->flows ? 0 : -1;
}

static void packet_event(capture_side *cs, const pkt *p, bool fragmented) {
  char when[48];
  item_time_text(&p->ts, when, sizeof(when));
  json_t *info =
      json_pack("{s:s, s:I, s:I, s:b, s:b}", "timestamp", when, "captureLength",
                (json_int_t)p->caplen, "length", (json_int_t)p->len,
                "truncated", p->caplen < p->len, "fragmented", fragmented);
  event ev = {EV_PACKET, info};
  cs->c.packet_events++;
  if (cs->wait)
    queue_push_wait(cs->q, ev);
  else if (!queue_try_push(cs->q, ev))
    cs->c.dropped_packets++;
}

void capture_side_frame(capture_side *cs, const struct timespec *ts,
                        const uint8_t *data, uint32_t caplen, uint32_t len) {
  pkt p;
  cs->c.packets++;
  cs->c.bytes += len;
  if (ts->tv_sec > cs->last_tick.tv_sec)
    capture_side_tick(cs, ts);
  int rc = decode_packet(cs->dec, cs->linktype, ts, data, caplen, len, &p);
  if (cs->packet_events) {
    pkt info = {.ts = *ts, .caplen = caplen, .len = len};
    packet_event(cs, &info, rc == DECODE_HELD);
  }
  if (rc == DECODE_OK)
    flow_table_packet(cs->flows, &p);
}

void capture_side_tick(capture_side *cs, const struct timespec *now) {
  cs->last_tick = *now;
  decoder_expire(cs->dec, now);
  flow_table_expire(cs->flows, now);
  for (stream *s = cs->live; s; s = s->next) {
    if (s->http)
      http1_expire(s->http, now, cs->opts->http_timeout_ms);
    if (s->dns)
      dns_expire(s->dns, now, cs->opts->dns_timeout_ms);
  }
}

void capture_side_finish(capture_side *cs) {
  flow_table_free(cs->flows);
  decoder_free(cs->dec);
  cs->flows = NULL;
  cs->dec = NULL;
}
