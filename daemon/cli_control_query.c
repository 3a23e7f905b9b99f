#include "config.h"

#include "cli_control.h"
#include "cli_control_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define MAX_LIMIT 10000
#define GREEN "\033[32m"
#define RED "\033[31m"

/* Columns of the table; the path (or DNS name) is the one cut to fit. */
enum {
  C_MARK,
  C_TIME,
  C_PROTO,
  C_ENDS,
  C_WHAT,
  C_PATH,
  C_ANSWER,
  C_MS,
  N_COLS
};

typedef struct query_out {
  bool json;
  table rows;
  uint64_t items; /* item lines received */
} query_out;

/* "name:port", or "ip:port" ("[ip]:port" for IPv6) when there is no
 * name. */
static void endpoint(char *out, size_t cap, const json_t *ep) {
  const char *name = jstr(ep, "name", "");
  const char *ip = jstr(ep, "ip", "?");
  const char *port = jstr(ep, "port", "?");
  if (*name)
    snprintf(out, cap, "%s:%s", name, port);
  else if (strchr(ip, ':'))
    snprintf(out, cap, "[%s]:%s", ip, port);
  else
    snprintf(out, cap, "%s:%s", ip, port);
}

static bool unanswered(const json_t *item) {
  const json_t *resp = json_object_get(item, "response");
  return json_object_get(item, "error") || !json_object_size(resp);
}

/* What was asked and answered: method, path and status for HTTP; type,
 * name and response code for DNS. */
static void exchange(const json_t *item, const char **what, const char **path,
                     char *answer, size_t cap) {
  const char *abbr = jstr(item, "protocol.abbr", "");
  *what = *path = "";
  answer[0] = '\0';
  if (unanswered(item)) {
    snprintf(answer, cap, "- %s", jstr(item, "error.type", "unanswered"));
  } else if (!strcmp(abbr, "HTTP")) {
    const json_t *st = jget(item, "response.status");
    if (json_is_integer(st))
      snprintf(answer, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(st));
  } else if (!strcmp(abbr, "DNS")) {
    snprintf(answer, cap, "%s", jstr(item, "response.code", "?"));
  }
  if (!strcmp(abbr, "HTTP")) {
    *what = jstr(item, "request.method", "?");
    *path = jstr(item, "request.path", "?");
  } else if (!strcmp(abbr, "DNS")) {
    const json_t *q = json_array_get(jget(item, "request.questions"), 0);
    *what = jstr(q, "type", "?");
    *path = jstr(q, "name", "?");
  }
}

static void add_item_row(table *t, const json_t *item) {
  char when[48], src[300], dst[300], ends[620], answer[160], ms[32];
  const char *what, *path;
  const json_t *ts = json_object_get(item, "timestamp");
  if (json_is_number(ts))
    fmt_local_time(when, sizeof(when), (int64_t)json_number_value(ts), true);
  else
    snprintf(when, sizeof(when), "?");
  endpoint(src, sizeof(src), json_object_get(item, "src"));
  endpoint(dst, sizeof(dst), json_object_get(item, "dst"));
  snprintf(ends, sizeof(ends), "%s → %s", src, dst);
  exchange(item, &what, &path, answer, sizeof(answer));
  if (unanswered(item))
    snprintf(ms, sizeof(ms), "-");
  else
    snprintf(ms, sizeof(ms), "%" PRIu64 " ms", juint(item, "elapsedTime"));
  bool failed = jtrue(item, "failed"), passed = jtrue(item, "passed");
  const char *row[N_COLS] = {failed   ? "✗"
                             : passed ? "✓"
                                      : " ",
                             when,
                             jstr(item, "protocol.abbr", "?"),
                             ends,
                             what,
                             path,
                             answer,
                             ms};
  if (table_add(t, row) == 0 && (failed || passed))
    table_color(t, C_MARK, failed ? RED : GREEN);
}

static int on_item(const json_t *line, void *udata) {
  query_out *q = udata;
  const json_t *item = json_object_get(line, "item");
  if (strcmp(jstr(line, "event", ""), "item") != 0 || !json_is_object(item))
    return 0;
  q->items++;
  if (q->json)
    ctl_print_json(item);
  else
    add_item_row(&q->rows, item);
  return 0;
}

/* --limit and --since into the request; -1 to go on, else exit code. */
static int add_bounds(const ctl_opts *o, json_t *req) {
  if (o->limit) {
    char *end;
    errno = 0;
    unsigned long n = strtoul(o->limit, &end, 10);
    if (errno || *end || end == o->limit || *o->limit == '-' || n < 1 ||
        n > MAX_LIMIT)
      return ctl_usage_error(o->usage,
                             "--limit %s: give a whole number from 1 to %d",
                             o->limit, MAX_LIMIT);
    json_object_set_new(req, "limit", json_integer((json_int_t)n));
  }
  if (o->since) {
    uint64_t ms;
    if (fmt_parse_duration(o->since, &ms) < 0 || ms == 0 ||
        ms > ((uint64_t)1 << 53))
      return ctl_usage_error(o->usage,
                             "--since %s: give a duration like 90s, 5m, 2h, "
                             "7d or 1h30m",
                             o->since);
    json_object_set_new(req, "since_ms", json_integer((json_int_t)ms));
  }
  return -1;
}

/* The request, or NULL with *rc set. */
static json_t *query_request(const ctl_opts *o, int *rc) {
  *rc = EXIT_RUNTIME;
  if (o->n_args != 1) {
    *rc = ctl_usage_error(o->usage,
                          o->n_args ? "query takes one KFL argument (quote it)"
                                    : "query needs a KFL argument");
    return NULL;
  }
  json_t *kfl = json_string(o->args[0]);
  if (!kfl) {
    *rc = ctl_usage_error(o->usage, "query: KFL is not valid UTF-8");
    return NULL;
  }
  json_t *req = json_pack("{s:s, s:o}", "cmd", "query", "kfl", kfl);
  if (req && (*rc = add_bounds(o, req)) >= 0) {
    json_decref(req);
    return NULL;
  }
  return req;
}

int cmd_query(int argc, char **argv) {
  ctl_opts o = {.name = "query", .usage = usage_query};
  query_out q = {0};
  json_t *answer = NULL;
  int rc = ctl_parse(argc, argv, 0, OPT_JSON | OPT_LIMIT | OPT_SINCE, &o);
  if (rc >= 0)
    return rc;
  json_t *req = query_request(&o, &rc);
  if (!req)
    return rc;
  q.json = o.json;
  table_init(&q.rows, N_COLS);
  q.rows.shrink = C_PATH;
  q.rows.right[C_MS] = true;
  rc = ctl_request(&o, req, on_item, &q, &answer);
  json_decref(req);
  if (rc < 0) {
    table_print(&q.rows, stdout, fmt_term_width(), fmt_color(STDOUT_FILENO));
    fflush(stdout);
    const json_t *count = json_object_get(answer, "count");
    fprintf(stderr, "%" PRIu64 " items (scanned %" PRIu64 ")\n",
            count ? juint_of(count) : q.items, juint(answer, "scanned"));
    rc = EXIT_OK;
  }
  table_free(&q.rows);
  json_decref(answer);
  return rc;
}
