/* Fills an item store with realistic items, and times scans of it.
 *
 * usage: gen_items DATADIR N [--segment-size BYTES] [--step-ms MS]
 *                            [--end-ms MS] [--bench]
 *        gen_items DATADIR --scan [--limit N] [--since MS] [--parse]
 *
 * The first form appends N items (item-model.md shape, about 1 KB each)
 * through item_store_append into DATADIR/items/, flushing every 256 items
 * as the script thread would, and prints nothing but errors.  Item i
 * (0-based, appended in order) has timestamp END - (N-1-i)*STEP, END
 * being --end-ms or now and STEP --step-ms (default 1); it is DNS when
 * i % 10 == 9, otherwise HTTP with status 500 when i % 100 == 37 (1%),
 * else 200, 201, 204, 301 or 404.  Its "index" is i, so that a query's
 * answer can be checked.  --bench prints what the store cost per item
 * (CPU and wall time, against a run that only makes the items).
 *
 * The second form opens the store read-only, scans it newest first
 * (counting lines; with --parse also decoding each with jansson) and
 * prints "<lines> <microseconds>".
 *
 * Exit status: 0 ok, 1 the store failed, 2 usage. */
#include "config.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "datadir.h"
#include "store/item_store.h"

#define POOL 64
#define FLUSH_EVERY 256

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int usage(void) {
  fprintf(stderr, "usage: gen_items DATADIR N [--segment-size BYTES] "
                  "[--step-ms MS] [--end-ms MS] [--bench]\n"
                  "       gen_items DATADIR --scan [--limit N] [--since MS] "
                  "[--parse]\n");
  return 2;
}

/* ------------------------------------------------------------------ */
/* Items                                                               */

static const char *const paths[] = {"/api/v1/orders",
                                    "/api/v1/orders/{n}",
                                    "/api/v1/users/{n}",
                                    "/api/v1/cart",
                                    "/healthz",
                                    "/static/app.{n}.js",
                                    "/api/v2/search",
                                    "/login",
                                    "/api/v1/payments/{n}",
                                    "/metrics",
                                    "/api/v1/inventory",
                                    "/graphql"};
static const char *const services[] = {"orders", "users",    "cart",
                                       "search", "payments", "frontend"};

static json_t *protocol(bool dns) {
  if (dns)
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:[], s:s, s:i}", "name",
        "dns", "version", "0", "abbr", "DNS", "longName", "Domain Name System",
        "macro", "dns", "backgroundColor", "#606060", "foregroundColor",
        "#ffffff", "fontSize", 12, "referenceLink",
        "https://www.iana.org/assignments/dns-parameters/"
        "dns-parameters.xhtml",
        "ports", "layer4", "udp", "priority", 4);
  return json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:[s,s,s], s:s, s:i}",
      "name", "http", "version", "1.1", "abbr", "HTTP", "longName",
      "Hypertext Transfer Protocol -- HTTP/1.1", "macro", "http",
      "backgroundColor", "#326de6", "foregroundColor", "#ffffff", "fontSize",
      12, "referenceLink", "https://datatracker.ietf.org/doc/html/rfc2616",
      "ports", "80", "443", "8080", "layer4", "tcp", "priority", 0);
}

static json_t *endpoint(const char *ip, const char *port, const char *name,
                        const char *ns) {
  return json_pack("{s:s, s:s, s:s, s:s}", "ip", ip, "port", port, "name", name,
                   "namespace", ns);
}

/* The fields every item has; those that vary per item are set later. */
static json_t *base(int k, bool dns) {
  const char *svc = services[k % 6];
  char dip[32];
  snprintf(dip, sizeof dip, "10.0.%d.%d", k % 4, 10 + k % 50);
  return json_pack(
      "{s:s, s:i, s:s, s:s, s:{s:s, s:s}, s:o, s:b, s:o, s:o, s:s, s:b, "
      "s:I, s:s}",
      "id", "", "index", 0, "stream", "", "worker", "10.0.0.5:8897", "node",
      "name", "node-a", "ip", "10.0.0.5", "protocol", protocol(dns), "tls", 0,
      "src", endpoint("10.0.0.7", "40000", "", ""), "dst",
      endpoint(dns ? "10.0.0.2" : dip, dns ? "53" : "8080",
               dns ? "kube-dns" : svc, dns ? "kube-system" : "shop"),
      "namespace", dns ? "kube-system" : "shop", "outgoing", 0, "timestamp",
      (json_int_t)0, "startTime", "");
}

static json_t *http_request(int k, bool post) {
  char path[64], url[96];
  const char *p = paths[k % 12], *brace = strstr(p, "{n}");
  if (brace)
    snprintf(path, sizeof path, "%.*s%d%s", (int)(brace - p), p, 1000 + k * 37,
             brace + 3);
  else
    snprintf(path, sizeof path, "%s", p);
  snprintf(url, sizeof url, "%s?page=%d&sort=desc", path, k % 7);
  json_t *segs = json_array();
  for (const char *s = path + 1, *e; s; s = *e ? e + 1 : NULL) {
    e = s + strcspn(s, "/");
    json_array_append_new(segs, json_stringn(s, (size_t)(e - s)));
  }
  char page[8];
  snprintf(page, sizeof page, "%d", k % 7);
  json_t *req =
      json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:{s:s, s:s, s:s, s:s}, "
                "s:{s:s}, s:{s:s, s:s}, s:i, s:i}",
                "method", post ? "POST" : "GET", "url", url, "targetUri", url,
                "path", path, "pathSegments", segs, "httpVersion", "HTTP/1.1",
                "headers", "Accept", "*/*", "Cookie", "sid=4f2a9c", "Host",
                "orders.shop:8080", "User-Agent", "curl/8.5.0", "cookies",
                "sid", "4f2a9c", "queryString", "page", page, "sort", "desc",
                "headersSize", 232, "bodySize", post ? 41 : 0);
  if (post)
    json_object_set_new(req, "postData",
                        json_pack("{s:s, s:[], s:s}", "mimeType",
                                  "application/json", "params", "text",
                                  "{\"sku\":\"A-1\",\"quantity\":2,\"c\":7}"));
  return req;
}

static json_t *http_response(int k) {
  return json_pack(
      "{s:i, s:s, s:s, s:{s:s, s:s}, s:{}, s:{s:i, s:s, s:s, s:s}, "
      "s:s, s:i, s:i}",
      "status", 200, "statusText", "OK", "httpVersion", "HTTP/1.1", "headers",
      "Content-Type", "application/json", "Content-Length", "48", "cookies",
      "content", "size", 48, "mimeType", "application/json", "encoding",
      "base64", "text",
      "eyJpZCI6NzcsIm9rIjp0cnVlLCJpdGVtcyI6WzEsMiwzXSwidG90YWwiOjQyfQ==",
      "redirectURL", "", "headersSize", 189, "bodySize", 48);
}

static json_t *dns_record(const char *name, const char *type, const char *ip,
                          const char *cname) {
  return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
                   "s:s, s:s, s:s, s:s}",
                   "name", name, "type", type, "class", "IN", "ttl", 30, "ip",
                   ip, "ns", "", "cname", cname, "ptr", "", "txts", "", "soa",
                   "", "srv", "", "mx", "", "opt", "", "uri", "", "rdata",
                   *ip ? ip : cname);
}

static json_t *make_template(int k, bool dns) {
  json_t *it = base(k, dns);
  if (dns) {
    char name[64], ip[32];
    snprintf(name, sizeof name, "%s.shop.svc.cluster.local", services[k % 6]);
    snprintf(ip, sizeof ip, "10.1.%d.%d", k % 8, k % 250);
    json_object_set_new(it, "request",
                        json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "opCode",
                                  "Query", "questions", "name", name, "type",
                                  "A", "class", "IN"));
    json_object_set_new(
        it, "response",
        json_pack("{s:s, s:[o], s:[], s:[]}", "code", "No Error", "answers",
                  dns_record(name, "A", ip, ""), "authorities", "additionals"));
  } else {
    json_object_set_new(it, "request", http_request(k, k % 3 == 2));
    json_object_set_new(it, "response", http_response(k));
  }
  json_t *tail = json_pack("{s:i, s:i, s:i, s:b, s:b}", "requestSize",
                           dns ? 44 : 272, "responseSize", dns ? 60 : 237,
                           "elapsedTime", k % 40, "passed", 0, "failed", 0);
  json_object_update(it, tail);
  json_decref(tail);
  return it;
}

static const struct {
  int code;
  const char *text;
} statuses[] = {{200, "OK"},         {200, "OK"},
                {200, "OK"},         {201, "Created"},
                {204, "No Content"}, {301, "Moved Permanently"},
                {404, "Not Found"}};

/* Sets what differs from item to item on the template. */
static void personalise(json_t *it, uint64_t i, int64_t ts, bool dns) {
  char stream[32], id[64], start[40], port[8];
  snprintf(stream, sizeof stream, "%012" PRIu64 "%s.pcap", i + 1,
           dns ? "_udp" : "");
  snprintf(id, sizeof id, "10.0.0.5:8897/%s-0", stream);
  time_t sec = (time_t)(ts / 1000);
  struct tm tm;
  gmtime_r(&sec, &tm);
  size_t n = strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(start + n, sizeof start - n, ".%03dZ", (int)(ts % 1000));
  snprintf(port, sizeof port, "%d", 32768 + (int)(i % 28000));
  json_object_set_new(it, "id", json_string(id));
  json_object_set_new(it, "index", json_integer((json_int_t)i));
  json_object_set_new(it, "stream", json_string(stream));
  json_object_set_new(it, "timestamp", json_integer(ts));
  json_object_set_new(it, "startTime", json_string(start));
  json_object_set_new(json_object_get(it, "src"), "port", json_string(port));
  if (dns)
    return;
  json_t *resp = json_object_get(it, "response");
  int s = i % 100 == 37 ? -1 : (int)((i * 2654435761u >> 7) % 7);
  json_object_set_new(resp, "status",
                      json_integer(s < 0 ? 500 : statuses[s].code));
  json_object_set_new(
      resp, "statusText",
      json_string(s < 0 ? "Internal Server Error" : statuses[s].text));
}

/* ------------------------------------------------------------------ */
/* The two modes                                                       */

typedef struct gen_opts {
  uint64_t n, segment_size;
  int64_t step_ms, end_ms;
  bool bench;
} gen_opts;

typedef struct pools {
  json_t *http[POOL], *dns[POOL];
} pools;

static int make_pools(pools *p) {
  int rc = 0;
  for (int k = 0; k < POOL; k++) {
    p->http[k] = make_template(k, false);
    p->dns[k] = make_template(k, true);
    if (!json_object_get(p->http[k], "response") ||
        !json_object_get(p->dns[k], "response"))
      rc = -1;
  }
  if (rc < 0)
    fprintf(stderr, "gen_items: a template does not pack\n");
  return rc;
}

static void free_pools(pools *p) {
  for (int k = 0; k < POOL; k++) {
    json_decref(p->http[k]);
    json_decref(p->dns[k]);
  }
}

/* User and system CPU time of the process, ns. */
static void cpu_ns(uint64_t *user, uint64_t *sys) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  *user = (uint64_t)ru.ru_utime.tv_sec * 1000000000u +
          (uint64_t)ru.ru_utime.tv_usec * 1000u;
  *sys = (uint64_t)ru.ru_stime.tv_sec * 1000000000u +
         (uint64_t)ru.ru_stime.tv_usec * 1000u;
}

/* Makes the N items, appending each to s (when not NULL); 0 or -1. */
static int fill(const gen_opts *g, pools *p, item_store *s) {
  for (uint64_t i = 0; i < g->n; i++) {
    bool is_dns = i % 10 == 9;
    json_t *it = (is_dns ? p->dns : p->http)[(i * 7 + i / 64) % POOL];
    personalise(it, i, g->end_ms - (int64_t)(g->n - 1 - i) * g->step_ms,
                is_dns);
    int rc = s ? item_store_append(s, it) : 0;
    if (rc < 0) {
      fprintf(stderr, "gen_items: item %" PRIu64 ": %s\n", i, strerror(-rc));
      return -1;
    }
    if (s && i % FLUSH_EVERY == FLUSH_EVERY - 1)
      item_store_flush(s);
  }
  return 0;
}

/* The cost of the store is the run with it less a run that only makes
 * the items, in CPU time (the machine may be shared) and wall time. */
static void report(const gen_opts *g, const uint64_t t[3][3],
                   const item_store_usage *u) {
  double per = 1.0 / (double)g->n;
  double user = (double)((t[2][0] - t[1][0]) - (t[1][0] - t[0][0])) * per;
  double sys = (double)((t[2][1] - t[1][1]) - (t[1][1] - t[0][1])) * per;
  double wall = (double)((t[2][2] - t[1][2]) - (t[1][2] - t[0][2])) * per;
  printf("appended %" PRIu64 " items, %.1f MB (%.0f bytes/item); the store "
         "cost %.0f ns/item of CPU (%.0f user, %.0f system), %.0f ns/item "
         "of wall time (appends, a flush every %d items, close)\n",
         u->items, (double)u->bytes / 1e6, (double)u->bytes * per, user + sys,
         user, sys, wall, FLUSH_EVERY);
}

static int generate(const gen_opts *g) {
  item_store_opts o = {.segment_size = g->segment_size};
  char err[256];
  item_store *s = item_store_open(&o, err, sizeof err);
  if (!s) {
    fprintf(stderr, "gen_items: %s\n", err);
    return 1;
  }
  pools p;
  uint64_t t[3][3];
  int rc = make_pools(&p);
  cpu_ns(&t[0][0], &t[0][1]);
  t[0][2] = now_ns();
  if (rc == 0 && g->bench)
    rc = fill(g, &p, NULL);
  cpu_ns(&t[1][0], &t[1][1]);
  t[1][2] = now_ns();
  if (rc == 0)
    rc = fill(g, &p, s);
  item_store_flush(s);
  item_store_usage u;
  item_store_get_usage(s, &u);
  item_store_close(s);
  cpu_ns(&t[2][0], &t[2][1]);
  t[2][2] = now_ns();
  free_pools(&p);
  if (rc == 0 && g->bench)
    report(g, t, &u);
  return rc == 0 && u.items == g->n ? 0 : 1;
}

typedef struct counter {
  int64_t limit, lines, bad;
  bool parse;
} counter;

static bool count_line(void *udata, const char *line, size_t len, int64_t ts) {
  counter *c = udata;
  c->lines++;
  if (c->parse) {
    json_t *j = json_loadb(line, len, 0, NULL);
    c->bad += j == NULL;
    json_decref(j);
  }
  return !c->limit || c->lines < c->limit;
}

static int scan(int64_t limit, int64_t since, bool parse) {
  item_store_opts o = {.read_only = true};
  char err[256];
  item_store *s = item_store_open(&o, err, sizeof err);
  if (!s) {
    fprintf(stderr, "gen_items: %s\n", err);
    return 1;
  }
  counter c = {.limit = limit, .parse = parse};
  uint64_t t0 = now_ns();
  int64_t n = item_store_scan(s, since, count_line, &c, err, sizeof err);
  uint64_t us = (now_ns() - t0) / 1000;
  item_store_close(s);
  if (n < 0) {
    fprintf(stderr, "gen_items: %s\n", err);
    return 1;
  }
  printf("%" PRId64 " %" PRIu64 "\n", n, us);
  if (c.bad)
    fprintf(stderr, "gen_items: %" PRId64 " lines are not JSON\n", c.bad);
  return c.bad ? 1 : 0;
}

static bool num_arg(const char *s, int64_t *out) {
  char *end;
  long long v = strtoll(s, &end, 10);
  if (!*s || *end || v < 0)
    return false;
  *out = v;
  return true;
}

int main(int argc, char **argv) {
  if (argc < 3)
    return usage();
  int rc = datadir_open_root(argv[1]);
  if (rc < 0) {
    fprintf(stderr, "gen_items: %s: %s\n", argv[1], strerror(-rc));
    return 1;
  }
  bool scan_mode = strcmp(argv[2], "--scan") == 0, parse = false;
  int64_t n = 0, seg = 0, step = 1, end = (int64_t)time(NULL) * 1000;
  int64_t limit = 0, since = 0;
  if (!scan_mode && !num_arg(argv[2], &n))
    return usage();
  gen_opts g = {0};
  for (int i = 3; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
    bool ok = true;
    if (!scan_mode && !strcmp(a, "--bench"))
      g.bench = true;
    else if (scan_mode && !strcmp(a, "--parse"))
      parse = true;
    else if (!scan_mode && !strcmp(a, "--segment-size"))
      ok = num_arg(v, &seg), i++;
    else if (!scan_mode && !strcmp(a, "--step-ms"))
      ok = num_arg(v, &step), i++;
    else if (!scan_mode && !strcmp(a, "--end-ms"))
      ok = num_arg(v, &end), i++;
    else if (scan_mode && !strcmp(a, "--limit"))
      ok = num_arg(v, &limit), i++;
    else if (scan_mode && !strcmp(a, "--since"))
      ok = num_arg(v, &since), i++;
    else
      ok = false;
    if (!ok)
      return usage();
  }
  if (scan_mode)
    rc = scan(limit, since, parse);
  else {
    g.n = (uint64_t)n;
    g.segment_size = (uint64_t)seg;
    g.step_ms = step;
    g.end_ms = end;
    rc = generate(&g);
  }
  datadir_close_root();
  return rc;
}
