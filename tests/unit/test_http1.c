/* Unit test of the HTTP/1.x dissector (daemon/dissect/http1*.c) through
 * http1.h: byte streams go in, and the request/response objects that come
 * out are compared as compact JSON with sorted keys (item-model §4-§7,
 * §9, the §12 sample).  A few exchanges are also fed split at every byte
 * boundary: the result must not depend on segmentation. */
#include "config.h"

#include "check.h"
#include "dissect/http1.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- capture of emitted exchanges ---- */

#define MAXX 32

typedef struct got {
  int n;
  json_t *req[MAXX], *resp[MAXX];
  char err[MAXX][96];
  uint64_t req_size[MAXX], resp_size[MAXX];
  int client_dir[MAXX];
  const char *version[MAXX];
  struct timespec req_ts[MAXX], resp_ts[MAXX];
} got;

static void on_emit(void *udata, http1_exchange *x) {
  got *g = udata;
  if (g->n == MAXX) {
    json_decref(x->request);
    json_decref(x->response);
    return;
  }
  int i = g->n++;
  g->req[i] = x->request;
  g->resp[i] = x->response;
  snprintf(g->err[i], sizeof g->err[i], "%s|%s",
           x->error_type ? x->error_type : "",
           x->error_msg ? x->error_msg : "");
  g->req_size[i] = x->request_size;
  g->resp_size[i] = x->response_size;
  g->client_dir[i] = x->client_dir;
  g->version[i] = x->version;
  g->req_ts[i] = x->req_ts;
  g->resp_ts[i] = x->resp_ts;
}

static void got_reset(got *g) {
  for (int i = 0; i < g->n; i++) {
    json_decref(g->req[i]);
    json_decref(g->resp[i]);
  }
  memset(g, 0, sizeof *g);
}

/* Compact, sorted JSON of j (or of j's member path "a.b"), in a static
 * ring so that several can appear in one check. */
static char *ring[8];

static const char *js(json_t *j, const char *path) {
  static int at;
  char key[64];
  while (j && path && *path) {
    const char *dot = strchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    snprintf(key, sizeof key, "%.*s", (int)n, path);
    j = json_is_array(j) ? json_array_get(j, (size_t)atoi(key))
                         : json_object_get(j, key);
    path = dot ? dot + 1 : NULL;
  }
  at = (at + 1) % 8;
  free(ring[at]);
  ring[at] = j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY)
               : strdup("(absent)");
  return ring[at];
}

static void free_ring(void) {
  for (int i = 0; i < 8; i++)
    free(ring[i]);
}

/* ---- helpers to run a connection ---- */

static http1_stats st;
static got g;

static http1_conn *conn(size_t max_body, size_t max_hdr, uint32_t max_pending) {
  http1_limits lim = {max_body, max_hdr, max_pending};
  memset(&st, 0, sizeof st);
  got_reset(&g);
  return http1_new(&lim, on_emit, &g, &st);
}

static bool feedn(http1_conn *c, int dir, const void *p, size_t n, long sec) {
  struct timespec ts = {sec, 0};
  return http1_feed(c, dir, p, n, false, &ts);
}

static bool feed(http1_conn *c, int dir, const char *s) {
  return feedn(c, dir, s, strlen(s), 1);
}

static void finish(http1_conn *c) {
  struct timespec ts = {100, 0};
  http1_close(c, &ts);
  http1_free(c);
}

/* Compresses with zlib: wbits 31 gzip, 15 zlib, -15 raw deflate. */
static uint8_t *zenc(const void *in, size_t n, int wbits, size_t *out_len) {
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (deflateInit2(&zs, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return NULL;
  size_t cap = deflateBound(&zs, (uLong)n);
  uint8_t *out = malloc(cap);
  zs.next_in = (Bytef *)(uintptr_t)in;
  zs.avail_in = (uInt)n;
  zs.next_out = out;
  zs.avail_out = (uInt)cap;
  deflate(&zs, Z_FINISH);
  *out_len = zs.total_out;
  deflateEnd(&zs);
  return out;
}

/* A response with the given head (ending in the blank line) and body. */
static void feed_resp(http1_conn *c, const char *head, const void *body,
                      size_t n) {
  feed(c, 1, head);
  feedn(c, 1, body, n, 1);
}

/* ---- the §12 sample ---- */

static const char sample_req[] =
    "POST /api/v1/orders?expand=items&tag=a&tag=b HTTP/1.1\r\n"
    "Host: orders.shop:8080\r\n"
    "User-Agent: curl/8.5.0\r\n"
    "Accept: application/json\r\n"
    "Accept: text/plain\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 26\r\n"
    "Cookie: sid=abc; theme=dark\r\n"
    "\r\n"
    "{\"sku\":\"A-1\",\"quantity\":2}";

static const char sample_req_json[] =
    "{\"bodySize\":26,\"cookies\":{\"sid\":\"abc\",\"theme\":\"dark\"},"
    "\"headers\":{\"Accept\":\"application/json, text/plain\","
    "\"Content-Length\":\"26\",\"Content-Type\":\"application/json\","
    "\"Cookie\":\"sid=abc; theme=dark\",\"Host\":\"orders.shop:8080\","
    "\"User-Agent\":\"curl/8.5.0\"},\"headersSize\":232,"
    "\"httpVersion\":\"HTTP/1.1\",\"method\":\"POST\","
    "\"path\":\"/api/v1/orders\",\"pathSegments\":[\"api\",\"v1\",\"orders\"],"
    "\"postData\":{\"mimeType\":\"application/json\",\"params\":[],"
    "\"text\":\"{\\\"sku\\\":\\\"A-1\\\",\\\"quantity\\\":2}\"},"
    "\"queryString\":{\"expand\":\"items\",\"tag\":[\"a\",\"b\"]},"
    "\"targetUri\":\"/api/v1/orders?expand=items&tag=a&tag=b\","
    "\"url\":\"/api/v1/orders?expand=items&tag=a&tag=b\"}";

static const char sample_resp_json[] =
    "{\"bodySize\":39,\"content\":{\"encoding\":\"base64\","
    "\"mimeType\":\"application/json; charset=utf-8\",\"size\":19,"
    "\"text\":\"eyJpZCI6NzcsIm9rIjp0cnVlfQ==\"},\"cookies\":{},"
    "\"headers\":{\"Content-Encoding\":\"gzip\","
    "\"Content-Type\":\"application/json; charset=utf-8\","
    "\"Date\":\"Tue, 14 Nov 2023 22:13:20 GMT\","
    "\"Location\":\"/api/v1/orders/77\",\"Transfer-Encoding\":\"chunked\"},"
    "\"headersSize\":189,\"httpVersion\":\"HTTP/1.1\","
    "\"redirectURL\":\"/api/v1/orders/77\",\"status\":201,"
    "\"statusText\":\"Created\"}";

/* The sample's response: 189 header bytes, then one 39-byte gzip chunk. */
static size_t sample_resp(uint8_t *out) {
  static const char head[] = "HTTP/1.1 201 Created\r\n"
                             "Content-Type: application/json; charset=utf-8\r\n"
                             "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"
                             "Location: /api/v1/orders/77\r\n"
                             "Content-Encoding: gzip\r\n"
                             "Transfer-Encoding: chunked\r\n"
                             "\r\n";
  size_t zn, n = strlen(head);
  uint8_t *z = zenc("{\"id\":77,\"ok\":true}", 19, 31, &zn);
  memcpy(out, head, n);
  n += (size_t)sprintf((char *)out + n, "%zx\r\n", zn);
  memcpy(out + n, z, zn);
  n += zn;
  memcpy(out + n, "\r\n0\r\n\r\n", 7);
  free(z);
  return n + 7;
}

static void check_sample(const char *how) {
  if (g.n != 1) {
    fprintf(stderr, "sample %s: %d exchanges\n", how, g.n);
    check_failures++;
    return;
  }
  CHECK_STR(js(g.req[0], NULL), sample_req_json);
  CHECK_STR(js(g.resp[0], NULL), sample_resp_json);
  CHECK_INT(g.req_size[0], 258);
  CHECK_INT(g.resp_size[0], 239);
  CHECK_STR(g.version[0], "1.1");
  CHECK_STR(g.err[0], "|");
}

static void test_sample(void) {
  uint8_t resp[512];
  size_t rn = sample_resp(resp), qn = strlen(sample_req);
  CHECK_INT(rn, 239);
  http1_conn *c = conn(0, 0, 0);
  struct timespec t1 = {1700000000, 123456789}, t2 = {1700000000, 127000000};
  http1_feed(c, 0, (const uint8_t *)sample_req, qn, false, &t1);
  http1_feed(c, 1, resp, rn, false, &t2);
  check_sample("whole");
  CHECK_INT(g.req_ts[0].tv_nsec, 123456789);
  CHECK_INT(g.resp_ts[0].tv_nsec, 127000000);
  CHECK_INT(g.client_dir[0], 0);
  CHECK_INT(st.requests, 1);
  CHECK_INT(st.responses, 1);
  CHECK_INT(st.exchanges, 1);
  finish(c);

  /* every split point of either stream, then one byte at a time */
  for (size_t k = 1; k < qn + rn; k++) {
    c = conn(0, 0, 0);
    if (k < qn) {
      feedn(c, 0, sample_req, k, 1);
      feedn(c, 0, sample_req + k, qn - k, 1);
      feedn(c, 1, resp, rn, 1);
    } else {
      feedn(c, 0, sample_req, qn, 1);
      feedn(c, 1, resp, k - qn, 1);
      feedn(c, 1, resp + (k - qn), rn - (k - qn), 1);
    }
    check_sample("split");
    finish(c);
  }
  c = conn(0, 0, 0);
  for (size_t k = 0; k < qn; k++)
    feedn(c, 0, sample_req + k, 1, 1);
  for (size_t k = 0; k < rn; k++)
    feedn(c, 1, resp + k, 1, 1);
  check_sample("bytewise");
  finish(c);

  /* the client may be either direction */
  c = conn(0, 0, 0);
  feedn(c, 1, sample_req, qn, 1);
  feedn(c, 0, resp, rn, 1);
  check_sample("client on dir 1");
  CHECK_INT(g.client_dir[0], 1);
  finish(c);
}

/* ---- segmentation: results must not depend on it ---- */

/* Every exchange of a connection as one text. */
static char *run_text(const char *q, size_t qn, const char *r, size_t rn,
                      size_t qcut, size_t rcut, bool bytewise) {
  http1_conn *c = conn(0, 0, 0);
  for (size_t i = 0; i < qn;) {
    size_t n = bytewise ? 1 : (i < qcut ? qcut - i : qn - i);
    feedn(c, 0, q + i, n, 1);
    i += n;
  }
  for (size_t i = 0; i < rn;) {
    size_t n = bytewise ? 1 : (i < rcut ? rcut - i : rn - i);
    feedn(c, 1, r + i, n, 1);
    i += n;
  }
  finish(c);
  size_t cap = 1, len = 0;
  char *out = calloc(1, 1);
  for (int i = 0; i < g.n; i++) {
    char line[160];
    const char *a = js(g.req[i], NULL), *b = js(g.resp[i], NULL);
    snprintf(line, sizeof line, "|%llu %llu %s\n",
             (unsigned long long)g.req_size[i],
             (unsigned long long)g.resp_size[i], g.err[i]);
    size_t need = len + strlen(a) + strlen(b) + strlen(line) + 1;
    if (need > cap)
      out = realloc(out, cap = need * 2);
    len += (size_t)sprintf(out + len, "%s%s%s", a, b, line);
  }
  return out;
}

static void test_segmentation(void) {
  static const char q[] =
      "GET /one HTTP/1.1\r\nHost: h\r\n\r\n"
      "\r\nPOST /two?a=1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
      "X-F: a\r\n b\r\n\r\n4\r\nabcd\r\n0\r\nT: 1\r\n\r\n"
      "PUT /three HTTP/1.1\r\nExpect: 100-continue\r\n"
      "Content-Length: 3\r\n\r\nxyz"
      "HEAD /four HTTP/1.1\n\n";
  static const char r[] =
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3;x=y\r\nabc\r\n0\r\n\r\n"
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 204 No Content\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
      "HTTP/1.0 200 OK\r\n\r\nclose-delimited";
  size_t qn = sizeof q - 1, rn = sizeof r - 1;
  char *whole = run_text(q, qn, r, rn, 0, 0, false);
  CHECK_INT(g.n, 4);
  CHECK_INT(st.orphan_responses, 1);
  CHECK_STR(js(g.req[1], "postData.text"), "\"abcd\"");
  CHECK_STR(js(g.req[1], "headers.X-F"), "\"a b\"");
  CHECK_STR(js(g.resp[1], "content.text"), "\"YWJj\"");
  CHECK_STR(js(g.resp[2], "status"), "204");
  CHECK_STR(js(g.resp[3], "bodySize"), "0");
  if (getenv("SHOW"))
    fputs(whole, stderr);
  for (size_t k = 1; k < qn; k++) {
    char *t = run_text(q, qn, r, rn, k, 0, false);
    CHECK_STR(t, whole);
    free(t);
  }
  for (size_t k = 1; k < rn; k++) {
    char *t = run_text(q, qn, r, rn, 0, k, false);
    CHECK_STR(t, whole);
    free(t);
  }
  char *t = run_text(q, qn, r, rn, 0, 0, true);
  CHECK_STR(t, whole);
  free(t);
  free(whole);
}

/* ---- pairing ---- */

static void test_pipelining(void) {
  http1_conn *c = conn(0, 0, 0);
  feed(c, 0,
       "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
       "HEAD /b HTTP/1.1\r\nHost: x\r\n\r\n"
       "GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK_INT(g.n, 0);
  feed(c, 1,
       "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
       "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n"
       "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  CHECK_INT(g.n, 3);
  CHECK_STR(js(g.req[0], "path"), "\"/a\"");
  CHECK_STR(js(g.resp[0], "content"),
            "{\"encoding\":\"base64\",\"mimeType\":\"\",\"size\":2,"
            "\"text\":\"b2s=\"}");
  CHECK_STR(js(g.req[1], "method"), "\"HEAD\"");
  CHECK_STR(js(g.resp[1], "bodySize"), "0");
  CHECK_INT(g.resp_size[1], 39);
  CHECK_STR(js(g.req[2], "path"), "\"/c\"");
  CHECK_STR(js(g.resp[2], "status"), "404");
  CHECK_STR(js(g.resp[2], "statusText"), "\"Not Found\"");
  CHECK_INT(g.req_size[0], 28);
  finish(c);
  CHECK_INT(g.n, 3);
}

static void test_keepalive_and_close(void) {
  http1_conn *c = conn(0, 0, 0);
  feed(c, 0, "GET /1 HTTP/1.1\r\n\r\n");
  feed(c, 1, "HTTP/1.1 204 No Content\r\n\r\n");
  feed(c, 0, "GET /2 HTTP/1.1\r\n\r\n");
  feed(c, 1, "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n");
  feed(c, 0, "GET /3 HTTP/1.0\r\n\r\n");
  feed(c, 1, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ");
  feed(c, 1, "close");
  CHECK_INT(g.n, 2);
  finish(c);
  CHECK_INT(g.n, 3);
  CHECK_STR(js(g.resp[0], "status"), "204");
  CHECK_STR(js(g.resp[1], "status"), "304");
  CHECK_STR(g.version[2], "1.0");
  CHECK_STR(js(g.resp[2], NULL),
            "{\"bodySize\":11,\"content\":{\"encoding\":\"base64\","
            "\"mimeType\":\"text/plain\",\"size\":11,"
            "\"text\":\"dW50aWwgY2xvc2U=\"},\"cookies\":{},\"headers\":"
            "{\"Content-Type\":\"text/plain\"},\"headersSize\":45,"
            "\"httpVersion\":\"HTTP/1.0\",\"redirectURL\":\"\",\"status\":200,"
            "\"statusText\":\"OK\"}");
  CHECK_INT(g.resp_size[2], 56);
  CHECK_STR(g.err[2], "|");
}

static void test_continue_upgrade_connect(void) {
  http1_conn *c = conn(0, 0, 0);
  feed(c, 0,
       "PUT /up HTTP/1.1\r\nExpect: 100-continue\r\n"
       "Content-Length: 5\r\n\r\n");
  feed(c, 1, "HTTP/1.1 100 Continue\r\n\r\n");
  feed(c, 0, "hello");
  feed(c, 1, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
  CHECK_INT(g.n, 1);
  CHECK_STR(js(g.resp[0], "status"), "201");
  CHECK_STR(js(g.req[0], "postData.text"), "\"hello\"");
  CHECK_INT(st.responses, 1);
  finish(c);

  c = conn(0, 0, 0);
  feed(c, 0,
       "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n"
       "Connection: Upgrade\r\n\r\n");
  CHECK(!feed(c, 1,
              "HTTP/1.1 101 Switching Protocols\r\n"
              "Upgrade: websocket\r\n\r\n\x81\x05hello"));
  CHECK_INT(g.n, 1);
  CHECK_STR(js(g.resp[0], "statusText"), "\"Switching Protocols\"");
  CHECK(!feed(c, 0, "GET /after HTTP/1.1\r\n\r\n"));
  finish(c);
  CHECK_INT(g.n, 1);
  CHECK_INT(st.parse_errors, 0);

  c = conn(0, 0, 0);
  feed(c, 0,
       "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
  CHECK(!feed(c, 1, "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03"));
  CHECK_INT(g.n, 1);
  CHECK_STR(js(g.req[0], "path"), "\"example.com:443\"");
  CHECK_STR(js(g.req[0], "pathSegments"), "[]");
  CHECK_STR(js(g.resp[0], "statusText"), "\"OK\"");
  finish(c);

  /* a refused CONNECT does not stop dissection */
  c = conn(0, 0, 0);
  feed(c, 0, "CONNECT h:1 HTTP/1.1\r\n\r\n");
  CHECK(feed(c, 1,
             "HTTP/1.1 407 Proxy Authentication Required\r\n"
             "Content-Length: 0\r\n\r\n"));
  finish(c);
  CHECK_INT(g.n, 1);
}

static void test_orphans_close_expire(void) {
  http1_conn *c = conn(0, 0, 0);
  feed(c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
  CHECK_INT(st.orphan_responses, 1);
  CHECK_INT(g.n, 0);
  feed(c, 0, "GET /q HTTP/1.1\r\n\r\n");
  finish(c);
  CHECK_INT(g.n, 1);
  CHECK_STR(g.err[0], "pair-not-found|connection closed before a response");
  CHECK_STR(js(g.resp[0], NULL), "{}");
  CHECK_INT(g.resp_size[0], 0);
  CHECK_INT(g.resp_ts[0].tv_sec, 0);

  c = conn(0, 0, 0);
  feedn(c, 0, "GET /slow HTTP/1.1\r\n\r\n", 22, 10);
  feedn(c, 0, "GET /fast HTTP/1.1\r\n\r\n", 22, 35);
  struct timespec now = {40, 500000000};
  http1_expire(c, &now, 30000);
  CHECK_INT(g.n, 1);
  CHECK_STR(g.err[0], "timeout|no response within 30s");
  CHECK_STR(js(g.req[0], "path"), "\"/slow\"");
  CHECK_INT(g.req_ts[0].tv_sec, 10);
  /* the late answer goes to /fast, still waiting */
  feed(c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  CHECK_INT(g.n, 2);
  CHECK_STR(js(g.req[1], "path"), "\"/fast\"");
  feedn(c, 0, "GET /x HTTP/1.1\r\n\r\n", 19, 50);
  now.tv_sec = 52;
  http1_expire(c, &now, 1500);
  CHECK_STR(g.err[2], "timeout|no response within 1500ms");
  feed(c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  CHECK_INT(st.orphan_responses, 1);
  finish(c);
  CHECK_INT(g.n, 3);
}

/* ---- bodies ---- */

static void test_chunked(void) {
  http1_conn *c = conn(0, 0, 0);
  feed(c, 0,
       "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
       "Content-Type: text/plain\r\n\r\n"
       "3;ext=1\r\nabc\r\n4\r\ndefg\r\n0\r\nX-Sum: 1\r\n\r\n");
  feed(c, 1,
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
       "A \r\n0123456789\r\n0\r\n\r\n");
  CHECK_INT(g.n, 1);
  CHECK_STR(js(g.req[0], "postData"),
            "{\"mimeType\":\"text/plain\",\"params\":[],\"text\":\"abcdefg\"}");
  CHECK_STR(js(g.req[0], "bodySize"), "7");
  CHECK_INT(g.req_size[0], 74 + 38);
  CHECK_STR(js(g.req[0], "headersSize"), "74");
  CHECK_STR(js(g.resp[0], "bodySize"), "10");
  CHECK_STR(js(g.resp[0], "content.size"), "10");
  finish(c);
}

static void check_decoded(const char *coding, int wbits1, int wbits2) {
  const char *plain = "hello hello hello hello, compressed world";
  size_t n1, n2;
  uint8_t *z1 = zenc(plain, strlen(plain), wbits1, &n1), *z2 = z1;
  if (wbits2) {
    z2 = zenc(z1, n1, wbits2, &n2);
    n1 = n2;
  }
  char head[160];
  snprintf(head, sizeof head,
           "HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\n"
           "Content-Length: %zu\r\n\r\n",
           coding, n1);
  http1_conn *c = conn(0, 0, 0);
  feed(c, 0, "GET / HTTP/1.1\r\n\r\n");
  feed_resp(c, head, z2, n1);
  CHECK_INT(g.n, 1);
  CHECK_STR(js(g.resp[0], "content.text"),
            "\"aGVsbG8gaGVsbG8gaGVsbG8gaGVsbG8sIGNvbXByZXNzZWQgd29ybGQ=\"");
  CHECK_INT(json_integer_value(json_object_get(g.resp[0], "bodySize")),
            (long long)n1);
  CHECK_STR(json_string_value(json_object_get(
                json_object_get(g.resp[0], "headers"), "Content-Encoding")),
            coding);
  finish(c);
  if (z2 != z1)
    free(z2);
  free(z1);
}

static void test_content_encoding(void) {
  json_t *s;

  check_decoded("gzip", 31, 0);
  check_decoded("x-gzip", 31, 0);
  check_decoded("deflate", 15, 0);
  check_decoded("deflate", -15, 0);
  check_decoded("deflate, gzip", 15, 31);
  check_decoded("gzip, identity", 31, 0);

  /* unsupported or broken codings: delivered as captured */
  http1_conn *c = conn(0, 0, 0);
  feed(c, 0, "GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
  feed(c, 1,
       "HTTP/1.1 200 OK\r\nContent-Encoding: gzip, br\r\n"
       "Content-Length: 3\r\n\r\nabc"
       "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
       "Content-Length: 4\r\n\r\nnope");
  CHECK_INT(g.n, 2);
  CHECK_STR(js(g.resp[0], "content.text"), "\"YWJj\"");
  CHECK_STR(js(g.resp[1], "content.text"), "\"bm9wZQ==\"");
  CHECK_STR(js(g.resp[1], "content.size"), "4");
  finish(c);

  /* a gzip request body decodes into postData.text */
  size_t zn;
  uint8_t *z = zenc("a=1&b=2", 7, 31, &zn);
  char head[200];
  snprintf(head, sizeof head,
           "POST /f HTTP/1.1\r\nContent-Encoding: gzip\r\nContent-Type: "
           "application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n",
           zn);
  c = conn(0, 0, 0);
  feed(c, 0, head);
  feedn(c, 0, z, zn, 1);
  feed(c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  s = json_object_get(json_object_get(g.req[0], "postData"), "text");
  CHECK_STR(json_string_value(s), "a=1&b=2");
  CHECK_STR(
      js(g.req[0], "postData.params"),
      "[{\"name\":\"a\",\"value\":\"1\"},{\"name\":\"b\",\"value\":\"2\"}]");
  free(z);
  finish(c);
}

static void test_max_body(void) {
  /* identity body over the limit */
  http1_conn *c = conn(8, 0, 0);
  feed(c, 0, "POST /m HTTP/1.1\r\nContent-Length: 12\r\n\r\n0123456789ab");
  feed(c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
  CHECK_STR(js(g.req[0], "postData"),
            "{\"mimeType\":\"\",\"params\":[],\"text\":\"01234567\","
            "\"truncated\":true}");
  CHECK_STR(js(g.req[0], "bodySize"), "12");
  CHECK_STR(js(g.resp[0], "content"),
            "{\"encoding\":\"base64\",\"mimeType\":\"\",\"size\":8,"
            "\"text\":\"MDEyMzQ1Njc=\",\"truncated\":true}");
  CHECK_INT(g.resp_size[0], 49);
  CHECK_INT(st.truncated_bodies, 2);
  finish(c);

  /* exactly at the limit is not truncated */
  c = conn(8, 0, 0);
  feed(c, 0, "GET / HTTP/1.1\r\n\r\n");
  feed(c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n01234567");
  CHECK_STR(js(g.resp[0], "content.truncated"), "(absent)");
  finish(c);

  /* a compression bomb: decoding stops at max_body */
  size_t big = 4 << 20, zn;
  uint8_t *zeros = calloc(1, big), *z = zenc(zeros, big, 31, &zn);
  char head[128];
  snprintf(head, sizeof head,
           "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
           "Content-Length: %zu\r\n\r\n",
           zn);
  c = conn(1000, 0, 0);
  feed(c, 0, "GET /bomb HTTP/1.1\r\n\r\n");
  feed_resp(c, head, z, zn);
  CHECK_STR(js(g.resp[0], "content.size"), "1000");
  CHECK_STR(js(g.resp[0], "content.truncated"), "true");
  finish(c);
  free(z);
  free(zeros);
}

/* ---- request and response objects ---- */

static void test_headers(void) {
  http1_conn *c = conn(0, 0, 0);
  feed(c, 0,
       "GET / HTTP/1.1\r\n"
       "x-request-id:  abc \r\n"
       "WWW-Authenticate: Basic\r\n"
       "X-Folded: one\r\n  two\r\n\tthree\r\n"
       "x-rep: 1\r\nX-REP: 2\r\n"
       "Bad Name: kept\r\n"
       "X-Bin: caf\xe9 \xff ok\r\n"
       "no colon line\r\n"
       "Empty:\r\n"
       "\r\n");
  feed(c, 1,
       "HTTP/1.1 200 OK\n"
       "Set-Cookie: a=1; Path=/; Expires=Tue, 14 Nov 2023 22:13:20 GMT\n"
       "Set-Cookie: b=\"two\"; HttpOnly\n"
       "set-cookie: a=3\n"
       "Content-Length: 0\n\n");
  CHECK_STR(
      js(g.req[0], "headers"),
      "{\"Bad Name\":\"kept\",\"Empty\":\"\",\"Www-Authenticate\":\"Basic\","
      "\"X-Bin\":\"caf\xef\xbf\xbd \xef\xbf\xbd ok\","
      "\"X-Folded\":\"one two three\",\"X-Rep\":\"1, 2\","
      "\"X-Request-Id\":\"abc\"}");
  CHECK_STR(js(g.resp[0], "cookies"), "{\"a\":\"1, 3\",\"b\":\"two\"}");
  CHECK_STR(js(g.resp[0], "headers.Set-Cookie"),
            "\"a=1; Path=/; Expires=Tue, 14 Nov 2023 22:13:20 GMT, "
            "b=\\\"two\\\"; HttpOnly, a=3\"");
  CHECK_STR(js(g.resp[0], "headersSize"), "144");
  finish(c);

  /* key order is byte order, as inserted */
  c = conn(0, 0, 0);
  feed(c, 0,
       "GET / HTTP/1.1\r\nZ: 1\r\nA: 2\r\nM: 3\r\n"
       "Cookie: z=1; \"q\"=x; a=\"2\"; a=3; novalue\r\nCookie: m=4\r\n\r\n");
  finish(c);
  char *dump = json_dumps(json_object_get(g.req[0], "headers"), JSON_COMPACT);
  CHECK(dump && strncmp(dump, "{\"A\":\"2\",\"Cookie\"", 17) == 0);
  free(dump);
  dump = json_dumps(json_object_get(g.req[0], "cookies"), JSON_COMPACT);
  CHECK_STR(dump,
            "{\"\\\"q\\\"\":\"x\",\"a\":\"2, 3\",\"m\":\"4\",\"z\":\"1\"}");
  free(dump);
}

static void test_target(void) {
  http1_conn *c = conn(0, 0, 0);
  feed(c, 0,
       "GET /a%20b/c%2Fd/?q=1+2&q=%41&r&e=&&bad=%zz%4 HTTP/1.1\r\n\r\n"
       "GET / HTTP/1.1\r\n\r\n"
       "OPTIONS * HTTP/1.1\r\n\r\n"
       "GET http://h.example:8080/x/%C3%A9/?k=v HTTP/1.1\r\n\r\n"
       "GET http://h.example HTTP/1.1\r\n\r\n"
       "GET /bad%zzpath?x=1 HTTP/1.1\r\n\r\n"
       "GET /inv%ff HTTP/1.1\r\n\r\n");
  finish(c);
  CHECK_INT(g.n, 7);
  CHECK_STR(js(g.req[0], "path"), "\"/a b/c/d/\"");
  CHECK_STR(js(g.req[0], "pathSegments"), "[\"a b\",\"c\",\"d\",\"\"]");
  CHECK_STR(js(g.req[0], "queryString"),
            "{\"bad\":\"%zz%4\",\"e\":\"\",\"q\":[\"1 2\",\"A\"],\"r\":\"\"}");
  CHECK_STR(js(g.req[1], "pathSegments"), "[\"\"]");
  CHECK_STR(js(g.req[1], "queryString"), "{}");
  CHECK_STR(js(g.req[2], "path"), "\"*\"");
  CHECK_STR(js(g.req[2], "pathSegments"), "[]");
  CHECK_STR(js(g.req[3], "path"), "\"/x/\xc3\xa9/\"");
  CHECK_STR(js(g.req[3], "queryString"), "{\"k\":\"v\"}");
  CHECK_STR(js(g.req[3], "url"), "\"http://h.example:8080/x/%C3%A9/?k=v\"");
  CHECK_STR(js(g.req[4], "path"), "\"\"");
  CHECK_STR(js(g.req[4], "pathSegments"), "[]");
  CHECK_STR(js(g.req[5], "path"), "\"/bad%zzpath?x=1\"");
  CHECK_STR(js(g.req[6], "path"), "\"/inv\xef\xbf\xbd\"");
  CHECK_STR(js(g.req[0], "postData"), "(absent)");
  CHECK_STR(g.err[6], "pair-not-found|connection closed before a response");
}

static void test_post_data(void) {
  static const char mp[] =
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"field\"\r\n\r\n"
      "v1\r\n"
      "--XyZ\r\n"
      "Content-Disposition: form-data; name=\"up\"; filename=\"a "
      "\\\"b\\\".txt\"\r\n"
      "Content-Type: text/plain\r\n\r\n"
      "line1\r\nline2\r\n"
      "--XyZ--\r\n";
  char req[600];
  snprintf(req, sizeof req,
           "POST /mp HTTP/1.1\r\nContent-Type: Multipart/Form-Data; "
           "boundary=\"XyZ\"\r\nContent-Length: %zu\r\n\r\n%s",
           strlen(mp), mp);
  http1_conn *c = conn(0, 0, 0);
  feed(c, 0, req);
  static const char bin[] = "POST /bin HTTP/1.1\r\nContent-Type: "
                            "application/octet-stream\r\nContent-Length: 3"
                            "\r\n\r\n\xff\x00\x01";
  feedn(c, 0, bin, sizeof bin - 1, 1);
  feed(c, 0,
       "POST /u HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded"
       "; charset=utf-8\r\nContent-Length: 17\r\n\r\nn=a+b&n=%2B&x&&y=");
  feed(c, 0, "POST /z HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  finish(c);
  CHECK_INT(g.n, 4);
  CHECK_STR(js(g.req[0], "postData.mimeType"), "\"multipart/form-data\"");
  CHECK_STR(js(g.req[0], "postData.params"),
            "[{\"name\":\"field\",\"value\":\"v1\"},{\"contentType\":"
            "\"text/plain\",\"fileName\":\"a \\\"b\\\".txt\",\"name\":\"up\","
            "\"value\":\"line1\\r\\nline2\"}]");
  CHECK_STR(
      js(g.req[1], "postData"),
      "{\"encoding\":\"base64\",\"mimeType\":\"application/octet-stream\","
      "\"params\":[],\"text\":\"/wAB\"}");
  CHECK_STR(
      js(g.req[2], "postData.params"),
      "[{\"name\":\"n\",\"value\":\"a b\"},{\"name\":\"n\",\"value\":\"+\"},"
      "{\"name\":\"x\",\"value\":\"\"},{\"name\":\"y\",\"value\":\"\"}]");
  CHECK_STR(js(g.req[3], "postData"), "(absent)");

  /* truncation cuts the last part: it is left out */
  c = conn(100, 0, 0);
  feed(c, 0, req);
  finish(c);
  CHECK_STR(js(g.req[0], "postData.params"),
            "[{\"name\":\"field\",\"value\":\"v1\"}]");
  CHECK_STR(js(g.req[0], "postData.truncated"), "true");
}

static void test_status_text(void) {
  http1_conn *c = conn(0, 0, 0);
  feed(c, 0,
       "GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n");
  feed(c, 1,
       "HTTP/1.1 201 Made\r\nContent-Length: 0\r\n\r\n"
       "HTTP/1.1 599 Whatever \xff\r\nContent-Length: 0\r\n\r\n"
       "HTTP/1.1 302\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n");
  CHECK_STR(js(g.resp[0], "statusText"), "\"Created\"");
  CHECK_STR(js(g.resp[1], "statusText"), "\"Whatever \xef\xbf\xbd\"");
  CHECK_STR(js(g.resp[2], "statusText"), "\"Found\"");
  CHECK_STR(js(g.resp[2], "redirectURL"), "\"/next\"");
  finish(c);
}

/* ---- damage: gaps, garbage, caps ---- */

static void test_gaps(void) {
  http1_conn *c = conn(0, 0, 0);
  struct timespec ts = {1, 0};
  feed(c, 0,
       "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n");
  feed(c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234");
  /* the rest of /1's body and /2's head are lost */
  const char *rest =
      "X-Pad: 1\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n3";
  http1_feed(c, 1, (const uint8_t *)rest, strlen(rest), true, &ts);
  finish(c);
  /* /1 lost with its response, /2's response was lost too: it is paired
   * with the /3 answer, the one resync found */
  CHECK_INT(g.n, 2);
  CHECK_STR(js(g.req[0], "path"), "\"/2\"");
  CHECK_STR(js(g.resp[0], "content.text"), "\"Mw==\"");
  CHECK_STR(js(g.req[1], "path"), "\"/3\"");
  CHECK_STR(g.err[1], "pair-not-found|connection closed before a response");

  /* a gap in a request body: the request is dropped, its response is
   * consumed, the next exchange is intact */
  c = conn(0, 0, 0);
  feed(c, 0, "POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n01");
  const char *r2 = "GET /b HTTP/1.1\r\n\r\n";
  http1_feed(c, 0, (const uint8_t *)r2, strlen(r2), true, &ts);
  feed(c, 1,
       "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
       "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  CHECK_INT(g.n, 1);
  CHECK_STR(js(g.req[0], "path"), "\"/b\"");
  CHECK_STR(js(g.resp[0], "status"), "200");
  CHECK_INT(st.parse_errors, 0);
  finish(c);
}

static void test_malformed(void) {
  http1_conn *c = conn(0, 0, 0);
  feed(c, 0,
       "\x16\x03\x01 garbage\r\nmore garbage\r\nGET /ok HTTP/1.1\r\n\r\n");
  CHECK_INT(st.parse_errors, 1);
  feed(c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  CHECK_INT(g.n, 1);
  /* bad Content-Length, bad chunk size, conflicting lengths */
  feed(c, 0, "POST /a HTTP/1.1\r\nContent-Length: 1x\r\n\r\n");
  feed(c, 0, "POST /b HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n");
  feed(c, 0, "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  feed(c, 0, "GET /d HTTP/1.1\r\n\r\n");
  CHECK_INT(st.parse_errors, 4);
  /* responses for the three broken requests are consumed silently */
  feed(c, 1,
       "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
       "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
       "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
       "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  CHECK_INT(g.n, 2);
  CHECK_STR(js(g.req[1], "path"), "\"/d\"");
  /* a response line from the client side, HTTP/0.9 and 2.0 are refused */
  feed(c, 0, "HTTP/1.1 200 OK\r\n\r\nGET /09\r\nGET / HTTP/2.0\r\n\r\n");
  CHECK_INT(st.parse_errors, 5);
  finish(c);
  CHECK_INT(g.n, 2);

  CHECK(http1_probe((const uint8_t *)"GET / HTTP/1.1\r\n", 16));
  CHECK(http1_probe((const uint8_t *)"HTTP/1.0 404 Not Found\r\n", 24));
  CHECK(http1_probe((const uint8_t *)"HTTP/1.1 200", 12));
  CHECK(!http1_probe((const uint8_t *)"GET / HTTP/1.", 13));
  CHECK(!http1_probe((const uint8_t *)"get / HTTP/1.1\r\n", 16));
  CHECK(!http1_probe((const uint8_t *)"GET /\r\n", 7));
  CHECK(!http1_probe((const uint8_t *)"HTTP/1.1 20\r\n", 13));
  CHECK(!http1_probe((const uint8_t *)"SSH-2.0-OpenSSH\r\n", 17));
  CHECK(!http1_probe(NULL, 0));
}

static void test_caps(void) {
  /* header block over max_header_bytes */
  http1_conn *c = conn(0, 64, 0);
  feed(c, 0, "GET /big HTTP/1.1\r\nX-Long: ");
  for (int i = 0; i < 10; i++)
    feed(c, 0, "0123456789");
  CHECK_INT(st.parse_errors, 1);
  feed(c, 0, "\r\n\r\nGET /small HTTP/1.1\r\n\r\n");
  feed(c, 1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  CHECK_INT(g.n, 1);
  CHECK_STR(js(g.req[0], "path"), "\"/small\"");
  finish(c);

  /* max_pending */
  c = conn(0, 0, 2);
  feed(c, 0,
       "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"
       "GET /3 HTTP/1.1\r\n\r\n");
  CHECK_INT(st.pending_dropped, 1);
  CHECK_INT(st.requests, 3);
  finish(c);
  CHECK_INT(g.n, 2);
}

int main(void) {
  test_sample();
  test_segmentation();
  test_pipelining();
  test_keepalive_and_close();
  test_continue_upgrade_connect();
  test_orphans_close_expire();
  test_chunked();
  test_content_encoding();
  test_max_body();
  test_headers();
  test_target();
  test_post_data();
  test_status_text();
  test_gaps();
  test_malformed();
  test_caps();
  got_reset(&g);
  free_ring();
  return CHECK_DONE();
}
