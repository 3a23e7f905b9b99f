/* Unit test of the DNS dissector (daemon/dissect/dns*.c): name
 * decompression and its limits, every record type against dnspython
 * (tests/tools/gen_dns_msgs.py), the item-model §13 sample, pairing
 * over UDP and TCP with gaps, unanswered queries, and name learning. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "check.h"
#include "dissect/dns.h"

/* ---- helpers ---- */

static size_t unhex(const char *s, uint8_t *out, size_t cap) {
  size_t n = 0;
  for (; s[0] && s[1] && n < cap; s += 2) {
    unsigned v;
    if (sscanf(s, "%2x", &v) != 1)
      break;
    out[n++] = (uint8_t)v;
  }
  return n;
}

static char *dump(const json_t *j) {
  return j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
}

#define CHECK_JSON(j, text)                                                    \
  do {                                                                         \
    char *d_ = dump(j);                                                        \
    CHECK_STR(d_, text);                                                       \
    free(d_);                                                                  \
  } while (0)

/* A message builder: names are written label by label from dotted text
 * (no escapes), "" is the root. */
typedef struct mb {
  uint8_t b[70000];
  size_t n;
} mb;

static void put8(mb *m, unsigned v) {
  m->b[m->n++] = (uint8_t)v;
}
static void put16(mb *m, unsigned v) {
  put8(m, v >> 8);
  put8(m, v & 255);
}
static void put32(mb *m, uint32_t v) {
  put16(m, v >> 16);
  put16(m, v & 0xffff);
}
static void putname(mb *m, const char *name) {
  while (*name) {
    const char *dot = strchr(name, '.');
    size_t len = dot ? (size_t)(dot - name) : strlen(name);
    put8(m, (unsigned)len);
    memcpy(m->b + m->n, name, len);
    m->n += len;
    name += len + (dot ? 1 : 0);
  }
  put8(m, 0);
}
static void header(mb *m, unsigned id, unsigned flags, unsigned qd,
                   unsigned an, unsigned ns, unsigned ar) {
  m->n = 0;
  put16(m, id);
  put16(m, flags);
  put16(m, qd);
  put16(m, an);
  put16(m, ns);
  put16(m, ar);
}
static void question(mb *m, const char *name, unsigned type) {
  putname(m, name);
  put16(m, type);
  put16(m, 1);
}
/* A record header; the caller writes rdlen bytes of RDATA next. */
static void rr(mb *m, const char *name, unsigned type, uint32_t ttl,
               unsigned rdlen) {
  putname(m, name);
  put16(m, type);
  put16(m, 1);
  put32(m, ttl);
  put16(m, rdlen);
}

/* ---- §13 sample ---- */

static const char *sample_query =
    "12340100000100000000000103617069076578616d706c6503636f6d00000100010000"
    "2904d0000000000000";
static const char *sample_response =
    "12348180000100020000000103617069076578616d706c6503636f6d0000010001c00c"
    "000500010000012c00120465646765076578616d706c65036e657400c02d0001000100"
    "00003c00045db8d82200002904d0000000000000";

static const char *sample_request_json =
    "{\"opCode\":\"Query\",\"questions\":[{\"class\":\"IN\",\"name\":\"api."
    "example.com\",\"type\":\"A\"}]}";
static const char *sample_response_json =
    "{\"additionals\":[{\"class\":\"CLASS1232\",\"cname\":\"\",\"ip\":\"\","
    "\"mx\":\"\",\"name\":\"\",\"ns\":\"\",\"opt\":\"\",\"ptr\":\"\","
    "\"rdata\":\"\",\"soa\":\"\",\"srv\":\"\",\"ttl\":0,\"txts\":\"\","
    "\"type\":\"OPT\",\"uri\":\"\"}],\"answers\":[{\"class\":\"IN\","
    "\"cname\":\"edge.example.net\",\"ip\":\"\",\"mx\":\"\",\"name\":\"api."
    "example.com\",\"ns\":\"\",\"opt\":\"\",\"ptr\":\"\",\"rdata\":\"edge."
    "example.net\",\"soa\":\"\",\"srv\":\"\",\"ttl\":300,\"txts\":\"\","
    "\"type\":\"CNAME\",\"uri\":\"\"},{\"class\":\"IN\",\"cname\":\"\","
    "\"ip\":\"93.184.216.34\",\"mx\":\"\",\"name\":\"edge.example.net\","
    "\"ns\":\"\",\"opt\":\"\",\"ptr\":\"\",\"rdata\":\"93.184.216.34\","
    "\"soa\":\"\",\"srv\":\"\",\"ttl\":60,\"txts\":\"\",\"type\":\"A\","
    "\"uri\":\"\"}],\"authorities\":[],\"code\":\"No Error\"}";

/* Exchanges seen by the emit callback, as text. */
typedef struct seen {
  int n;
  char req[16][512], resp[16][4096];
  char err[16][96];
  int dir[16];
  uint64_t qsize[16], rsize[16];
  struct timespec qts[16], rts[16];
} seen;

static void on_emit(void *udata, dns_exchange *x) {
  seen *s = udata;
  if (s->n < 16) {
    char *q = dump(x->request), *r = dump(x->response);
    snprintf(s->req[s->n], sizeof s->req[0], "%s", q ? q : "");
    snprintf(s->resp[s->n], sizeof s->resp[0], "%s", r ? r : "");
    snprintf(s->err[s->n], sizeof s->err[0], "%s|%s",
             x->error_type ? x->error_type : "",
             x->error_msg ? x->error_msg : "");
    s->dir[s->n] = x->client_dir;
    s->qsize[s->n] = x->request_size;
    s->rsize[s->n] = x->response_size;
    s->qts[s->n] = x->req_ts;
    s->rts[s->n] = x->resp_ts;
    free(q);
    free(r);
  }
  s->n++;
  json_decref(x->request);
  json_decref(x->response);
}

typedef struct learned {
  int n;
  char text[16][300];
} learned;

static void on_learn(void *udata, int family, const uint8_t *a,
                     const char *name) {
  learned *l = udata;
  if (l->n >= 16)
    return;
  if (family == 4)
    snprintf(l->text[l->n++], sizeof l->text[0], "%u.%u.%u.%u=%s", a[0], a[1],
             a[2], a[3], name);
  else
    snprintf(l->text[l->n++], sizeof l->text[0], "v6:%02x%02x..%02x=%s", a[0],
             a[1], a[15], name);
}

static void test_sample(void) {
  uint8_t q[64], r[128];
  size_t qn = unhex(sample_query, q, sizeof q);
  size_t rn = unhex(sample_response, r, sizeof r);
  CHECK_INT(qn, 44);
  CHECK_INT(rn, 90);
  CHECK(dns_probe(q, qn));
  CHECK(dns_probe(r, rn));
  json_t *j = dns_request_json(q, qn);
  CHECK_JSON(j, sample_request_json);
  json_decref(j);
  j = dns_response_json(r, rn);
  CHECK_JSON(j, sample_response_json);
  json_decref(j);

  seen s = {0};
  dns_stats st = {0};
  dns_conn *c = dns_new(false, 8, on_emit, &s, &st);
  struct timespec t1 = {1700000001, 500421300}, t2 = {1700000001, 502421300};
  dns_feed(c, 0, q, qn, false, &t1);
  dns_feed(c, 1, r, rn, false, &t2);
  CHECK_INT(s.n, 1);
  CHECK_STR(s.req[0], sample_request_json);
  CHECK_STR(s.resp[0], sample_response_json);
  CHECK_STR(s.err[0], "|");
  CHECK_INT(s.qsize[0], 44);
  CHECK_INT(s.rsize[0], 90);
  CHECK_INT(s.dir[0], 0);
  CHECK_INT(s.qts[0].tv_nsec, 500421300);
  CHECK_INT(s.rts[0].tv_nsec, 502421300);
  CHECK_INT(st.queries, 1);
  CHECK_INT(st.responses, 1);
  CHECK_INT(st.exchanges, 1);
  dns_free(c);

  learned l = {0};
  dns_learn(r, rn, on_learn, &l);
  CHECK_INT(l.n, 1);
  CHECK_STR(l.text[0], "93.184.216.34=api.example.com");
  l.n = 0;
  dns_learn(q, qn, on_learn, &l); /* queries teach nothing */
  CHECK_INT(l.n, 0);
}

/* ---- names ---- */

/* The first question's name of msg, or NULL when the message is
 * malformed; text is freed by the caller. */
static char *qname_of(const mb *m) {
  json_t *j = dns_request_json(m->b, m->n);
  char *s = NULL;
  if (j) {
    json_t *q = json_array_get(json_object_get(j, "questions"), 0);
    s = strdup(json_string_value(json_object_get(q, "name")));
  }
  json_decref(j);
  return s;
}

static void test_names(void) {
  mb m;
  char *s;
  /* Escapes: '.', '\\', space, 0xff inside labels; case kept. */
  static const uint8_t odd[] = {5, 'a', '.', 'B', '\\', ' ', 1, 0xff, 0};
  header(&m, 1, 0, 1, 0, 0, 0);
  memcpy(m.b + m.n, odd, sizeof odd);
  m.n += sizeof odd;
  put16(&m, 1);
  put16(&m, 1);
  s = qname_of(&m);
  CHECK_STR(s, "a\\.B\\\\\\032.\\255");
  free(s);

  header(&m, 1, 0, 1, 0, 0, 0);
  question(&m, "", 2); /* root */
  s = qname_of(&m);
  CHECK_STR(s, "");
  free(s);

  /* A pointer to itself (a loop), forward, and out of bounds. */
  static const unsigned ptrs[] = {0xc00c, 0xc00e, 0xc0ff, 0xffff};
  for (size_t i = 0; i < sizeof ptrs / sizeof ptrs[0]; i++) {
    header(&m, 1, 0, 1, 0, 0, 0);
    put16(&m, ptrs[i]);
    put16(&m, 1);
    put16(&m, 1);
    CHECK(dns_request_json(m.b, m.n) == NULL);
    CHECK(!dns_probe(m.b, m.n));
  }
  /* Two names pointing at each other (the second points backwards, the
   * first forwards): refused. */
  header(&m, 1, 0, 2, 0, 0, 0);
  put8(&m, 1), put8(&m, 'a'), put16(&m, 0xc000 | 22), put16(&m, 1),
      put16(&m, 1);
  put8(&m, 1), put8(&m, 'b'), put16(&m, 0xc00c), put16(&m, 1), put16(&m, 1);
  CHECK(dns_request_json(m.b, m.n) == NULL);

  /* Longest legal name: 255 wire bytes (3 x 63 + 61 + lengths + root). */
  char longname[300], label63[64], label61[62];
  memset(label63, 'x', 63), label63[63] = 0;
  memset(label61, 'y', 61), label61[61] = 0;
  snprintf(longname, sizeof longname, "%s.%s.%s.%s", label63, label63, label63,
           label61);
  header(&m, 1, 0, 1, 0, 0, 0);
  question(&m, longname, 1);
  s = qname_of(&m);
  CHECK_STR(s, longname);
  free(s);
  /* One byte longer: malformed. */
  snprintf(longname, sizeof longname, "%s.%s.%s.%sy", label63, label63,
           label63, label61);
  header(&m, 1, 0, 1, 0, 0, 0);
  question(&m, longname, 1);
  CHECK(dns_request_json(m.b, m.n) == NULL);
  /* Over-long through pointers: each name adds 63 bytes to the last. */
  header(&m, 1, 0, 5, 0, 0, 0);
  size_t prev = 0;
  for (int i = 0; i < 5; i++) {
    size_t here = m.n;
    put8(&m, 63);
    memcpy(m.b + m.n, label63, 63);
    m.n += 63;
    if (i == 0)
      put8(&m, 0);
    else
      put16(&m, 0xc000 | (unsigned)prev);
    put16(&m, 1);
    put16(&m, 1);
    prev = here;
  }
  CHECK(dns_request_json(m.b, m.n) == NULL);
  /* Label length 64 (0x40: an extended label type) and a cut label. */
  header(&m, 1, 0, 1, 0, 0, 0);
  put8(&m, 64);
  memset(m.b + m.n, 'z', 64);
  m.n += 64;
  put8(&m, 0);
  put16(&m, 1);
  put16(&m, 1);
  CHECK(dns_request_json(m.b, m.n) == NULL);
  header(&m, 1, 0, 1, 0, 0, 0);
  put8(&m, 10), put8(&m, 'a');
  CHECK(dns_request_json(m.b, m.n) == NULL);
  CHECK(dns_request_json(m.b, 5) == NULL);
  CHECK(!dns_probe(m.b, 5));
}

/* ---- records ---- */

static json_t *answer0(const uint8_t *msg, size_t len, json_t **resp) {
  *resp = dns_response_json(msg, len);
  return json_array_get(json_object_get(*resp, "answers"), 0);
}

static const char *field(json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

static void test_records_hand(void) {
  mb m;
  json_t *resp, *a;
  /* A with a cut RDATA: shown as unknown bytes, ip stays "". */
  header(&m, 1, 0x8000, 1, 1, 0, 0);
  question(&m, "x.test", 1);
  rr(&m, "x.test", 1, 5, 3);
  put8(&m, 1), put8(&m, 2), put8(&m, 3);
  a = answer0(m.b, m.n, &resp);
  CHECK_STR(field(a, "rdata"), "\\# 3 010203");
  CHECK_STR(field(a, "ip"), "");
  json_decref(resp);
  /* MX pointing to the root; a CNAME whose target loops. */
  header(&m, 1, 0x8000, 1, 2, 0, 0);
  question(&m, "x.test", 15);
  rr(&m, "x.test", 15, 5, 3);
  put16(&m, 0), put8(&m, 0);
  rr(&m, "y.test", 5, 5, 2);
  char self[32];
  snprintf(self, sizeof self, "\\# 2 c0%02x", (unsigned)m.n);
  put16(&m, 0xc000 | (unsigned)(m.n));
  resp = dns_response_json(m.b, m.n);
  json_t *an = json_object_get(resp, "answers");
  CHECK_STR(field(json_array_get(an, 0), "rdata"), "0 .");
  CHECK_STR(field(json_array_get(an, 0), "mx"), "");
  CHECK_STR(field(json_array_get(an, 1), "rdata"), self);
  CHECK_STR(field(json_array_get(an, 1), "cname"), "");
  json_decref(resp);
  /* Counts beyond the data: malformed. */
  header(&m, 1, 0x8000, 1, 3, 0, 0);
  question(&m, "x.test", 1);
  rr(&m, "x.test", 1, 5, 4);
  put32(&m, 0x01020304);
  CHECK(dns_response_json(m.b, m.n) == NULL);
  /* RDATA length past the end: malformed. */
  header(&m, 1, 0x8000, 1, 1, 0, 0);
  question(&m, "x.test", 1);
  rr(&m, "x.test", 1, 5, 40);
  put32(&m, 0x01020304);
  CHECK(dns_response_json(m.b, m.n) == NULL);
  /* OPT: class is the UDP size, ttl raw (extended rcode, DO bit). */
  header(&m, 1, 0x8003, 1, 0, 0, 1);
  question(&m, "x.test", 1);
  rr(&m, "", 41, 0x01008000u, 0);
  m.b[m.n - 8] = 0x02, m.b[m.n - 7] = 0x00; /* class 512 */
  resp = dns_response_json(m.b, m.n);
  a = json_array_get(json_object_get(resp, "additionals"), 0);
  CHECK_STR(field(a, "class"), "CLASS512");
  CHECK_INT(json_integer_value(json_object_get(a, "ttl")), 0x01008000);
  CHECK_STR(field(a, "rdata"), "");
  CHECK_STR(field(resp, "code"), "Non-Existent Domain");
  json_decref(resp);
}

static void test_codes(void) {
  static const struct {
    unsigned flags;
    const char *opcode, *rcode;
  } t[] = {
      {0x0000, "Query", "No Error"},
      {0x0802, "IQuery", "Server Failure"},
      {0x1005, "Status", "Query Refused"},
      {0x2009, "Notify", "Server Not Authoritative for zone"},
      {0x280a, "Update", "Name not contained in zone"},
      {0x300c, "OpCode6", "RCode12"},
  };
  mb m;
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
    header(&m, 1, t[i].flags, 1, 0, 0, 0);
    question(&m, "x.test", 255);
    json_t *q = dns_request_json(m.b, m.n), *r = dns_response_json(m.b, m.n);
    CHECK_STR(field(q, "opCode"), t[i].opcode);
    CHECK_STR(field(r, "code"), t[i].rcode);
    CHECK_JSON(json_object_get(r, "answers"), "[]");
    json_t *q0 = json_array_get(json_object_get(q, "questions"), 0);
    CHECK_STR(field(q0, "type"), "ANY");
    json_decref(q);
    json_decref(r);
  }
}

/* Every line of the generator: RDATA and field against dnspython. */
static void test_records_dnspython(void) {
  const char *py = getenv("PYTHON3"), *top = getenv("WH_TOP_SRCDIR");
  char cmd[1024], line[8192];
  snprintf(cmd, sizeof cmd, "'%s' '%s/tests/tools/gen_dns_msgs.py'",
           py && *py ? py : "python3", top && *top ? top : "..");
  FILE *f = popen(cmd, "r");
  int lines = 0;
  CHECK(f != NULL);
  while (f && fgets(line, sizeof line, f)) {
    json_t *c = json_loads(line, 0, NULL), *resp;
    static uint8_t msg[4096];
    size_t n = unhex(field(c, "hex"), msg, sizeof msg);
    const char *name = field(c, "case");
    lines++;
    if (strcmp(name, "opt") == 0) {
      resp = dns_response_json(msg, n);
      json_t *o = json_array_get(json_object_get(resp, "additionals"), 0);
      CHECK_STR(field(o, "opt"), field(c, "opt"));
      CHECK_STR(field(o, "class"), "CLASS1232");
    } else {
      json_t *a = answer0(msg, n, &resp);
      const char *fk = field(c, "field");
      if (!a || strcmp(field(a, "rdata"), field(c, "rdata")) != 0)
        fprintf(stderr, "case %s\n", name);
      CHECK_STR(field(a, "rdata"), field(c, "rdata"));
      CHECK_STR(field(a, "type"), name);
      if (fk)
        CHECK_STR(field(a, fk), field(c, "value"));
    }
    json_decref(resp);
    json_decref(c);
  }
  int rc = f ? pclose(f) : -1;
  if (rc != 0 && WEXITSTATUS(rc) == 77)
    fprintf(stderr, "test_dns: dnspython missing, record cross-check skipped\n");
  else {
    CHECK_INT(rc, 0);
    CHECK(lines >= 30);
  }
}

/* ---- pairing ---- */

static size_t query(mb *m, unsigned id, const char *name) {
  header(m, id, 0x0100, 1, 0, 0, 0);
  question(m, name, 1);
  return m->n;
}

static size_t answer(mb *m, unsigned id, const char *name, uint32_t addr) {
  header(m, id, 0x8180, 1, 1, 0, 0);
  question(m, name, 1);
  rr(m, name, 1, 30, 4);
  put32(m, addr);
  return m->n;
}

static struct timespec at(long ms) {
  struct timespec t = {1000 + ms / 1000, (ms % 1000) * 1000000};
  return t;
}

static void test_udp(void) {
  static mb m;
  seen s = {0};
  dns_stats st = {0};
  dns_conn *c = dns_new(false, 2, on_emit, &s, &st);
  struct timespec t;
  t = at(0), dns_feed(c, 0, m.b, query(&m, 1, "a.test"), false, &t);
  t = at(1), dns_feed(c, 0, m.b, query(&m, 1, "a.test"), false, &t); /* resent */
  t = at(2), dns_feed(c, 0, m.b, query(&m, 2, "b.test"), false, &t);
  /* Same id but from the client side again: not an answer. */
  t = at(3), dns_feed(c, 0, m.b, answer(&m, 2, "b.test", 1), false, &t);
  CHECK_INT(st.orphan_responses, 1);
  t = at(4), dns_feed(c, 1, m.b, answer(&m, 2, "b.test", 2), false, &t);
  t = at(5), dns_feed(c, 1, m.b, answer(&m, 1, "a.test", 3), false, &t);
  t = at(6), dns_feed(c, 1, m.b, answer(&m, 9, "z.test", 3), false, &t);
  CHECK_INT(s.n, 2);
  CHECK(strstr(s.req[0], "b.test") != NULL);
  CHECK(strstr(s.req[1], "a.test") != NULL);
  CHECK_INT(s.qts[1].tv_nsec, 0); /* the first copy of a resent query */
  CHECK_INT(s.rts[1].tv_nsec, 5000000);
  CHECK_INT(st.orphan_responses, 2);
  CHECK_INT(st.queries, 3);
  /* Not DNS at all. */
  t = at(7), dns_feed(c, 0, (const uint8_t *)"hello", 5, false, &t);
  CHECK_INT(st.malformed, 1);
  /* The cap: a third pending query pushes out the oldest. */
  for (unsigned id = 10; id < 13; id++)
    t = at(8), dns_feed(c, 0, m.b, query(&m, id, "c.test"), false, &t);
  CHECK_INT(st.pending_dropped, 1);
  /* Timeouts: 5 s after the queries; a late answer is an orphan. */
  t = at(5007), dns_expire(c, &t, 5000);
  CHECK_INT(s.n, 2);
  t = at(5008), dns_expire(c, &t, 5000);
  CHECK_INT(s.n, 4);
  CHECK_STR(s.err[2], "timeout|no response within 5s");
  CHECK_STR(s.resp[2], "{}");
  CHECK_INT(s.rsize[2], 0);
  CHECK_INT(s.rts[2].tv_sec, 0);
  t = at(5009), dns_feed(c, 1, m.b, answer(&m, 11, "c.test", 4), false, &t);
  CHECK_INT(st.orphan_responses, 3);
  /* Close: what is left is "pair-not-found". */
  t = at(6000), dns_feed(c, 0, m.b, query(&m, 20, "d.test"), false, &t);
  dns_expire(c, &t, 1500);
  CHECK_INT(s.n, 4);
  dns_close(c, &t);
  CHECK_INT(s.n, 5);
  CHECK_STR(s.err[4], "pair-not-found|connection closed before a response");
  CHECK_INT(s.qsize[4], query(&m, 20, "d.test"));
  CHECK_INT(st.exchanges, 5);
  dns_free(c);
}

/* Appends a 2-byte length and the message to a stream. */
static void frame(mb *stream, const mb *m) {
  put16(stream, (unsigned)m->n);
  memcpy(stream->b + stream->n, m->b, m->n);
  stream->n += m->n;
}

static void test_tcp(void) {
  static mb m, cs, ss; /* a message, the client and server streams */
  seen s = {0};
  dns_stats st = {0};
  dns_conn *c = dns_new(true, 16, on_emit, &s, &st);
  struct timespec t = at(0);
  cs.n = ss.n = 0;
  for (unsigned id = 1; id <= 3; id++) {
    char name[16];
    snprintf(name, sizeof name, "n%u.test", id);
    query(&m, id, name);
    frame(&cs, &m);
    answer(&m, id, name, id);
    frame(&ss, &m);
  }
  /* Three queries in one segment; answers one byte at a time. */
  dns_feed(c, 1, cs.b, cs.n, false, &t);
  for (size_t i = 0; i < ss.n; i++) {
    t = at(10 + (long)i);
    dns_feed(c, 0, ss.b + i, 1, false, &t);
  }
  CHECK_INT(s.n, 3);
  CHECK_INT(s.dir[0], 1);
  CHECK_INT(s.qsize[0], query(&m, 1, "n1.test"));
  CHECK_INT(s.rsize[0], answer(&m, 1, "n1.test", 1));
  CHECK_INT(s.rts[0].tv_nsec, 10000000); /* first byte of its prefix */
  CHECK(strstr(s.resp[2], "\"ip\":\"0.0.0.3\"") != NULL);

  /* A gap inside query 4: it is lost; query 5 after garbage is found. */
  cs.n = 0;
  query(&m, 4, "n4.test");
  frame(&cs, &m);
  size_t cut = cs.n;
  put16(&cs, 0x0003);
  put8(&cs, 0xff);
  query(&m, 5, "n5.test");
  frame(&cs, &m);
  dns_feed(c, 1, cs.b, 7, false, &t);
  dns_feed(c, 1, cs.b + cut - 3, cs.n - (cut - 3), true, &t);
  ss.n = 0;
  answer(&m, 5, "n5.test", 5);
  frame(&ss, &m);
  answer(&m, 4, "n4.test", 4);
  frame(&ss, &m);
  dns_feed(c, 0, ss.b, ss.n, false, &t);
  CHECK_INT(s.n, 4);
  CHECK(strstr(s.req[3], "n5.test") != NULL);
  CHECK_INT(st.orphan_responses, 1);
  /* A length too short to be DNS puts the stream into resync. */
  cs.n = 0;
  put16(&cs, 2);
  put16(&cs, 0);
  query(&m, 6, "n6.test");
  frame(&cs, &m);
  dns_feed(c, 1, cs.b, cs.n, false, &t);
  dns_close(c, &t);
  CHECK_INT(s.n, 5);
  CHECK(strstr(s.req[4], "n6.test") != NULL);
  CHECK_STR(s.err[4], "pair-not-found|connection closed before a response");
  dns_free(c);

  /* Freed with a message half read and queries pending: no leak. */
  c = dns_new(true, 4, on_emit, &s, NULL);
  dns_feed(c, 1, cs.b, cs.n - 1, false, &t);
  dns_feed(c, 0, cs.b, 1, false, &t);
  dns_free(c);
}

/* ---- learning ---- */

static void test_learn(void) {
  static mb m;
  learned l = {0};
  /* Chain out of order: q -> c1 -> c2 -> A, plus AAAA and an unrelated
   * A, and a CNAME loop that must end. */
  header(&m, 7, 0x8180, 1, 7, 0, 0);
  question(&m, "API.example.com", 1);
  rr(&m, "c2.example.org", 1, 5, 4);
  put32(&m, 0x0a000001);
  rr(&m, "c1.example.net", 5, 5, 16);
  putname(&m, "C2.example.org");
  rr(&m, "api.example.com", 5, 5, 16);
  putname(&m, "c1.example.net");
  rr(&m, "c2.example.org", 28, 5, 16);
  put32(&m, 0x20010db8), put32(&m, 0), put32(&m, 0), put32(&m, 1);
  rr(&m, "other.test", 1, 5, 4);
  put32(&m, 0x0a000002);
  rr(&m, "c2.example.org", 5, 5, 17);
  putname(&m, "api.example.com");
  rr(&m, "broken.test", 1, 5, 3); /* not an address: skipped */
  put8(&m, 1), put16(&m, 2);
  dns_learn(m.b, m.n, on_learn, &l);
  CHECK_INT(l.n, 3);
  CHECK_STR(l.text[0], "10.0.0.1=API.example.com");
  CHECK_STR(l.text[1], "v6:2001..01=API.example.com");
  CHECK_STR(l.text[2], "10.0.0.2=other.test");
  /* Malformed: nothing learned, no crash. */
  l.n = 0;
  dns_learn(m.b, m.n - 5, on_learn, &l);
  CHECK_INT(l.n, 0);
  dns_learn(m.b, 3, on_learn, &l);
  dns_learn(NULL, 0, on_learn, &l);
  CHECK_INT(l.n, 0);
}

int main(void) {
  test_sample();
  test_names();
  test_records_hand();
  test_codes();
  test_records_dnspython();
  test_udp();
  test_tcp();
  test_learn();
  return CHECK_DONE();
}
