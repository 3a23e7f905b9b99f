/* `query`: each runs in its own thread (at most QUERY_MAX at once), so a
 * long scan of the item store holds up neither the clients nor capture.
 * The matches then go to the script thread for onItemQueried. */
#include "config.h"

#include "control/control_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kfl_service.h"
#include "log.h"
#include "store/item_store.h"

/* A stored line longer than this is skipped (items hold bodies of at
 * most [capture] max_body, so only a damaged segment has one). */
#define QUERY_LINE_MAX (16u << 20)

struct query_job {
  query_job *next;
  control *c;
  pthread_t thread;
  uint64_t client;
  json_t *req;
  kfl_filter *filter;
  size_t limit;
  int64_t since; /* Unix ms; 0: no bound */
  json_t *items;
  size_t bytes; /* of the matches' stored text */
  uint64_t scanned;
  char err[512]; /* set: the query failed */
  atomic_bool finished;
};

static void job_free(query_job *j) {
  if (j->filter)
    j->c->kfl->free(j->filter);
  json_decref(j->req);
  json_decref(j->items);
  free(j);
}

static bool visit(void *udata, const char *line, size_t len, int64_t ts_ms) {
  query_job *j = udata;
  if (atomic_load(&j->c->stopping))
    return false;
  if ((j->since && ts_ms < j->since) || len > QUERY_LINE_MAX)
    return true;
  /* Most lines lack a text the query needs: skip them unparsed. */
  if (!j->c->kfl->may_match_text(j->filter, line, len))
    return true;
  json_t *item = json_loadb(line, len, 0, NULL);
  json_t *red = NULL;
  bool hit = json_is_object(item) && j->c->kfl->match(j->filter, item, &red) &&
             red != NULL;
  json_decref(item);
  if (!hit) {
    json_decref(red);
    return true;
  }
  if (j->bytes + len > CONN_QUERY_CAP) {
    snprintf(j->err, sizeof(j->err),
             "query: the answer would pass %u MiB; lower the limit or narrow "
             "the query",
             CONN_QUERY_CAP >> 20);
    json_decref(red);
    return false;
  }
  j->bytes += len;
  json_array_append_new(j->items, red);
  return json_array_size(j->items) < j->limit;
}

static void scan(query_job *j) {
  char err[256] = "";
  long lim = j->c->kfl->limit(j->filter);
  if (lim >= 0 && (size_t)lim < j->limit)
    j->limit = (size_t)lim;
  if (j->limit == 0)
    return;
  int64_t n =
      item_store_scan(j->c->items, j->since, visit, j, err, sizeof(err));
  if (n < 0)
    snprintf(j->err, sizeof(j->err), "query: %s", err);
  else
    j->scanned = (uint64_t)n;
}

static void *run(void *arg) {
  query_job *j = arg;
  char err[256] = "";
  const char *text = json_string_value(json_object_get(j->req, "kfl"));
  j->filter = j->c->kfl->compile(text, err, sizeof(err));
  j->items = json_array();
  if (!j->filter)
    snprintf(j->err, sizeof(j->err), "kfl: %s", err);
  else if (!j->items)
    snprintf(j->err, sizeof(j->err), "query: out of memory");
  else
    scan(j);
  atomic_store(&j->finished, true);
  mailbox_wake(&j->c->mb);
  return NULL;
}

/* A field that is absent or null takes its default. */
static bool get_int(const json_t *req, const char *key, json_int_t lo,
                    json_int_t hi, json_int_t *out) {
  json_t *v = json_object_get(req, key);
  if (!v || json_is_null(v))
    return true;
  if (!json_is_integer(v) || json_integer_value(v) < lo ||
      json_integer_value(v) > hi)
    return false;
  *out = json_integer_value(v);
  return true;
}

/* The error for a request that cannot run, or NULL. */
static const char *refusal(const control *c, const json_t *req,
                           json_int_t *limit, json_int_t *since) {
  if (!json_is_string(json_object_get(req, "kfl")))
    return "query: \"kfl\" must be a string (the KFL query; \"\" matches "
           "everything)";
  if (!get_int(req, "limit", 1, QUERY_LIMIT_MAX, limit))
    return "query: \"limit\" must be an integer from 1 to 10000";
  if (!get_int(req, "since_ms", 0, INT64_MAX / 2, since))
    return "query: \"since_ms\" must be an integer >= 0 (milliseconds)";
  if (!c->items)
    return "query: this daemon has no item store (see its log for why)";
  if (!c->kfl)
    return "query: the kfl plugin is not loaded; add it to [plugins] load";
  if (atomic_load(&c->nqueries) >= QUERY_MAX)
    return "query: 4 queries are running; retry when one has ended";
  return NULL;
}

void query_start(control *c, conn *k, json_t *req, int64_t now) {
  json_int_t limit = QUERY_LIMIT_DEFAULT, since = 0;
  const char *why = refusal(c, req, &limit, &since);
  query_job *j = why ? NULL : calloc(1, sizeof(*j));
  if (!why && !j)
    why = "query: out of memory";
  if (why) {
    ctl_answer_error(c, k, req, now, "%s", why);
    json_decref(req);
    return;
  }
  j->c = c;
  j->client = k->id;
  j->req = req;
  j->limit = (size_t)limit;
  j->since = since ? ctl_wall_ms() - since : 0;
  int rc = pthread_create(&j->thread, NULL, run, j);
  if (rc != 0) {
    ctl_answer_error(c, k, req, now, "query: cannot start a thread: %s",
                     strerror(rc));
    free(j);
    json_decref(req);
    return;
  }
  k->queries++;
  atomic_fetch_add(&c->nqueries, 1);
  j->next = c->jobs;
  c->jobs = j;
}

/* The matches go to the script thread, which answers the client. */
static void finish(control *c, query_job *j, int64_t now) {
  conn *k = ctl_find(c, j->client);
  if (!k) {
    job_free(j);
    return;
  }
  if (j->err[0]) {
    ctl_answer_error(c, k, j->req, now, "%s", j->err);
    job_free(j);
    return;
  }
  ctl_request r = {CTL_QUERIED, j->client, j->req, j->items, j->scanned};
  j->req = j->items = NULL;
  if (mailbox_post(&c->mb, &r) < 0) {
    ctl_answer_error(c, k, r.req, now,
                     "the script thread is busy (%u requests waiting); "
                     "retry later",
                     MAILBOX_MAX);
    ctl_request_free(&r);
  } else if (c->wake)
    c->wake(c->wake_udata);
  job_free(j);
}

void query_collect(control *c, int64_t now) {
  query_job **pp = &c->jobs;
  while (*pp) {
    query_job *j = *pp;
    if (!atomic_load(&j->finished)) {
      pp = &j->next;
      continue;
    }
    *pp = j->next;
    pthread_join(j->thread, NULL);
    atomic_fetch_sub(&c->nqueries, 1);
    finish(c, j, now);
  }
}

void query_join_all(control *c) {
  while (c->jobs) {
    query_job *j = c->jobs;
    c->jobs = j->next;
    pthread_join(j->thread, NULL);
    atomic_fetch_sub(&c->nqueries, 1);
    job_free(j);
  }
}
