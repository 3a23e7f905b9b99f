/* Answer lines: made on any thread, queued on a client by the control
 * thread. */
#include "config.h"

#include "control/control_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static bool is_query(const json_t *req) {
  const char *cmd = json_string_value(json_object_get(req, "cmd"));
  return cmd && strcmp(cmd, "query") == 0;
}

/* The request's "id" goes first, where a reader looks for it.  The copy
 * keeps the request, which another thread owns, untouched. */
static json_t *with_id(const json_t *req, json_t *line) {
  json_t *id = json_object_get(req, "id");
  if (!id || !json_is_object(line))
    return line;
  json_t *out = json_object();
  if (!out || json_object_set_new(out, "id", json_deep_copy(id)) < 0 ||
      json_object_update(out, line) < 0) {
    json_decref(out);
    return line;
  }
  json_decref(line);
  return out;
}

ctl_line *ctl_line_make(uint64_t client, const json_t *req, json_t *line) {
  if (!line) /* the answer could not be built */
    line = json_pack("{s:b, s:s}", "ok", 0, "error",
                     "the answer could not be made (out of memory?)");
  if (!line)
    return NULL;
  line = with_id(req, line);
  bool final = json_object_get(line, "ok") != NULL;
  char *text = json_dumps(line, JSON_COMPACT);
  json_decref(line);
  if (!text)
    return NULL;
  size_t n = strlen(text);
  ctl_line *l = malloc(sizeof(*l) + n + 1);
  if (l) {
    memcpy(l->text, text, n);
    l->text[n] = '\n';
    l->len = n + 1;
    l->client = client;
    l->final = final;
    l->query = is_query(req);
    l->next = NULL;
  }
  free(text);
  return l;
}

void ctl_kill(conn *k) {
  k->out_off = k->out_len = 0;
  k->closing = k->killed = true;
}

void ctl_deliver(control *c, conn *k, ctl_line *l, int64_t now) {
  (void)c;
  /* While a query's answer is out, or still unread, other lines share
   * its bigger cap rather than close a client that does read. */
  bool big = l->query || k->queries || k->sent < k->big_until;
  size_t cap = big ? CONN_QUERY_CAP : CONN_OUT_CAP;
  if (l->final && k->pending)
    k->pending--;
  if (l->final && l->query && k->queries)
    k->queries--;
  if (k->killed) {
    free(l);
    return;
  }
  if (conn_queue(k, l->text, l->len, cap, now) < 0) {
    log_warn("control: client %llu does not read its answers (over %zu "
             "bytes waiting); closing it",
             (unsigned long long)k->id, cap);
    ctl_kill(k);
  } else if (l->query)
    k->big_until = k->queued;
  free(l);
}

void ctl_answer(control *c, conn *k, const json_t *req, json_t *line,
                int64_t now) {
  ctl_line *l = ctl_line_make(k->id, req, line);
  if (l)
    ctl_deliver(c, k, l, now);
}

conn *ctl_find(control *c, uint64_t id) {
  for (size_t i = 0; i < c->nconns; i++)
    if (c->conns[i]->id == id)
      return c->conns[i];
  return NULL;
}
