/* `console` subscribers: the answer, the backlog, then every new line,
 * copied from the ring at the pace each client reads. */
#include "config.h"

#include "control/control_internal.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUMP_BATCH 256 /* lines copied per hold of the ring's lock */

/* "{" plus the request's id, plus "event":"console", ready for the
 * members of each line. */
static int make_prefix(conn *k, const json_t *req) {
  strbuf sb = STRBUF_INIT;
  json_t *id = json_object_get(req, "id");
  char *idtext = id ? json_dumps(id, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  int rc = -1;
  if ((!id || idtext) && sb_puts(&sb, "{") == 0 &&
      (!idtext || sb_printf(&sb, "\"id\":%s,", idtext) == 0) &&
      sb_puts(&sb, "\"event\":\"console\",") == 0) {
    free(k->sub_prefix);
    k->sub_prefix = sb.buf;
    k->sub_prefix_len = sb.len;
    rc = 0;
  } else
    sb_free(&sb);
  free(idtext);
  return rc;
}

static bool bad_field(const json_t *v, bool want_string) {
  if (!v || json_is_null(v))
    return false;
  if (want_string)
    return !json_is_string(v);
  return !json_is_integer(v) || json_integer_value(v) < 0;
}

void console_subscribe(control *c, conn *k, json_t *req, int64_t now) {
  json_t *run = json_object_get(req, "run");
  json_t *after = json_object_get(req, "after");
  if (bad_field(run, true) || bad_field(after, false)) {
    ctl_answer_error(c, k, req, now,
                     "console: \"run\" must be a string and \"after\" an "
                     "integer >= 0 (both may be left out)");
    return;
  }
  if (make_prefix(k, req) < 0) {
    ctl_answer_error(c, k, req, now, "console: out of memory");
    return;
  }
  /* Sequence numbers mean something only within the run that made
   * them. */
  bool same_run = json_is_string(run) && json_is_integer(after) &&
                  strcmp(json_string_value(run), c->run_id) == 0;
  uint64_t backlog = console_ring_start(
      c->ring, same_run, same_run ? (uint64_t)json_integer_value(after) : 0,
      &k->next_seq);
  k->dropped = 0;
  if (!k->subscribed)
    atomic_fetch_add(&c->subscribers, 1);
  k->subscribed = true;
  ctl_answer(c, k, req,
             json_pack("{s:b, s:s, s:I}", "ok", 1, "run", c->run_id, "backlog",
                       (json_int_t)backlog),
             now);
  console_pump(c, k, now);
}

void console_unsubscribe(control *c, conn *k) {
  if (k->subscribed)
    atomic_fetch_sub(&c->subscribers, 1);
  k->subscribed = false;
}

typedef struct pump {
  control *c;
  conn *k;
  int64_t now;
} pump;

/* Queues one line made of the prefix and the given members. */
static bool put(pump *p, const char *members, size_t len) {
  if (conn_unsent(p->k) >= CONN_CONSOLE_FILL)
    return false;
  strbuf *sb = &p->c->scratch;
  sb_reset(sb);
  return sb_append(sb, p->k->sub_prefix, p->k->sub_prefix_len) == 0 &&
         sb_append(sb, members, len) == 0 &&
         conn_queue(p->k, sb->buf, sb->len, CONN_OUT_CAP, p->now) == 0;
}

static bool put_dropped(pump *p) {
  char m[64];
  int n = snprintf(m, sizeof(m), "\"dropped\":%" PRIu64 "}\n", p->k->dropped);
  if (!put(p, m, (size_t)n))
    return false;
  p->k->dropped = 0;
  return true;
}

static bool put_line(void *ctx, uint64_t seq, const char *tail, size_t len) {
  pump *p = ctx;
  if (conn_unsent(p->k) >= CONN_CONSOLE_FILL ||
      (p->k->dropped && !put_dropped(p)))
    return false;
  char head[40];
  int n = snprintf(head, sizeof(head), "\"seq\":%" PRIu64 ",", seq);
  strbuf *sb = &p->c->scratch;
  sb_reset(sb);
  return sb_append(sb, p->k->sub_prefix, p->k->sub_prefix_len) == 0 &&
         sb_append(sb, head, (size_t)n) == 0 && sb_append(sb, tail, len) == 0 &&
         conn_queue(p->k, sb->buf, sb->len, CONN_OUT_CAP, p->now) == 0;
}

void console_pump(control *c, conn *k, int64_t now) {
  if (!k->subscribed || k->closing)
    return;
  pump p = {c, k, now};
  /* A client with its output full gets nothing now: the ring keeps its
   * lines until newer ones push them out, and those are counted as
   * dropped. */
  while (conn_unsent(k) < CONN_CONSOLE_FILL &&
         console_ring_read(c->ring, &k->next_seq, &k->dropped, put_line, &p,
                           PUMP_BATCH) == PUMP_BATCH)
    ;
  if (k->dropped)
    put_dropped(&p);
}
