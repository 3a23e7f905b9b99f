/* Unit test of the control thread (daemon/control/): the protocol over a
 * real socket (round trips, ids, malformed lines, the line cap), 1,000
 * clients at once, console backlog and slow subscribers, queries against
 * a real item store with a stand-in KFL service, the socket file (mode,
 * group, stale and live predecessors), signals, and the script watch. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <jansson.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "control/control.h"
#include "datadir.h"
#include "kfl_service.h"
#include "store/item_store.h"

static char root[128];
static char sock[300];
static atomic_int wakes;
static atomic_int stop_sig;

static void on_wake(void *udata) {
  (void)udata;
  atomic_fetch_add(&wakes, 1);
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static control_opts base_opts(void) {
  control_opts o = {.socket_path = sock,
                    .run_id = "run-1",
                    .wake = on_wake,
                    .stop = &stop_sig};
  return o;
}

static control *start(const control_opts *o) {
  char err[512] = "";
  control *c = control_start(o, err, sizeof err);
  if (!c)
    fprintf(stderr, "control_start: %s\n", err);
  CHECK(c != NULL);
  return c;
}

/* ---- a client ---- */

typedef struct cli {
  int fd;
  char *buf;
  size_t len, cap;
  bool eof;
  char *raw; /* the last line read, as text */
} cli;

static void set_path(struct sockaddr_un *sa, const char *path) {
  size_t n = strlen(path);
  if (n >= sizeof sa->sun_path)
    n = sizeof sa->sun_path - 1;
  memcpy(sa->sun_path, path, n);
  sa->sun_path[n] = '\0';
}

static int dial(const char *path) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  set_path(&sa, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    close(fd);
    fd = -1;
  }
  return fd;
}

static bool cli_open(cli *k) {
  memset(k, 0, sizeof *k);
  k->fd = dial(sock);
  CHECK(k->fd >= 0);
  return k->fd >= 0;
}

static void cli_close(cli *k) {
  if (k->fd >= 0)
    close(k->fd);
  free(k->buf);
  free(k->raw);
  memset(k, 0, sizeof *k);
  k->fd = -1;
}

static void cli_send(cli *k, const char *s) {
  size_t n = strlen(s), off = 0;
  while (off < n) {
    ssize_t w = send(k->fd, s + off, n - off, MSG_NOSIGNAL);
    if (w <= 0)
      break;
    off += (size_t)w;
  }
  CHECK(off == n);
}

/* The next line as JSON; NULL on timeout, end of input or bad JSON. */
static json_t *cli_line(cli *k, int timeout_ms) {
  int64_t end = now_ms() + timeout_ms;
  for (;;) {
    char *nl = k->len ? memchr(k->buf, '\n', k->len) : NULL;
    if (nl) {
      size_t n = (size_t)(nl - k->buf);
      free(k->raw);
      k->raw = strndup(k->buf, n);
      k->len -= n + 1;
      memmove(k->buf, nl + 1, k->len);
      return json_loads(k->raw, 0, NULL);
    }
    int left = (int)(end - now_ms());
    struct pollfd p = {k->fd, POLLIN, 0};
    if (k->eof || left <= 0 || poll(&p, 1, left) <= 0)
      return NULL;
    if (k->cap - k->len < 65536) {
      k->cap = k->cap ? k->cap * 2 : 131072;
      k->buf = realloc(k->buf, k->cap);
    }
    ssize_t r = recv(k->fd, k->buf + k->len, k->cap - k->len, 0);
    if (r <= 0) {
      k->eof = true;
      return NULL;
    }
    k->len += (size_t)r;
  }
}

/* True when the server closes the connection within timeout_ms (lines
 * still on the way are read and thrown away). */
static bool cli_closed(cli *k, int timeout_ms) {
  int64_t end = now_ms() + timeout_ms;
  while (!k->eof && now_ms() < end) {
    json_t *j = cli_line(k, (int)(end - now_ms()));
    json_decref(j);
  }
  return k->eof;
}

static const char *str(const json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

static long long num(const json_t *o, const char *key) {
  json_t *v = json_object_get(o, key);
  return json_is_integer(v) ? json_integer_value(v) : -1;
}

static bool wait_req(control *c, ctl_request *r, int timeout_ms) {
  int64_t end = now_ms() + timeout_ms;
  do {
    if (control_next(c, r))
      return true;
    sleep_ms(2);
  } while (now_ms() < end);
  return false;
}

/* Sends req, expects it in the mailbox with the kind, answers it. */
static void round_trip(control *c, cli *k, const char *req, ctl_kind kind) {
  ctl_request r;
  cli_send(k, req);
  CHECK(wait_req(c, &r, 3000));
  CHECK_INT(r.kind, kind);
  control_reply(c, r.client, r.req, json_pack("{s:b}", "ok", 1));
  ctl_request_free(&r);
  json_t *line = cli_line(k, 3000);
  CHECK(json_is_true(json_object_get(line, "ok")));
  json_decref(line);
}

/* ---- protocol ---- */

static void test_round_trip(void) {
  control_opts o = base_opts();
  control *c = start(&o);
  if (!c)
    return;
  cli k;
  cli_open(&k);
  int w0 = atomic_load(&wakes);
  cli_send(&k, "{\"cmd\":\"status\",\"id\":7}\n");
  ctl_request r;
  CHECK(wait_req(c, &r, 3000));
  CHECK_INT(r.kind, CTL_STATUS);
  CHECK(r.client != 0);
  CHECK_STR(str(r.req, "cmd"), "status");
  CHECK(r.items == NULL);
  CHECK(atomic_load(&wakes) > w0);
  CHECK_INT(control_clients(c), 1);
  control_reply(c, r.client, r.req, json_pack("{s:b, s:i}", "ok", 1, "x", 3));
  json_t *line = cli_line(&k, 3000);
  CHECK_INT(num(line, "id"), 7);
  CHECK_INT(num(line, "x"), 3);
  CHECK(k.raw && strncmp(k.raw, "{\"id\":7,", 8) == 0); /* id first */
  json_decref(line);
  control_reply_error(c, r.client, r.req, "jobs run: no job with tag \"%s\"",
                      "x");
  line = cli_line(&k, 3000);
  CHECK_STR(k.raw,
            "{\"id\":7,\"ok\":false,\"error\":\"jobs run: no job with tag "
            "\\\"x\\\"\"}");
  json_decref(line);
  ctl_request_free(&r);

  cli_send(&k, "{\"cmd\":\"jobs\",\"action\":\"list\"}\n"
               "{\"cmd\":\"scripts\",\"action\":\"reload\",\"id\":[1]}\n");
  CHECK(wait_req(c, &r, 3000));
  CHECK_INT(r.kind, CTL_JOBS);
  ctl_request_free(&r);
  CHECK(wait_req(c, &r, 3000));
  CHECK_INT(r.kind, CTL_SCRIPTS);
  CHECK_STR(str(r.req, "action"), "reload");
  uint64_t client = r.client;
  ctl_request_free(&r);

  /* Answers to a client that left, and to client 0, are dropped. */
  cli_close(&k);
  sleep_ms(50);
  control_reply(c, client, NULL, json_pack("{s:b}", "ok", 1));
  control_reply(c, 0, NULL, json_pack("{s:b}", "ok", 1));
  control_reply(c, client, NULL, NULL);

  /* Half-closed: the answer still comes, then the server closes. */
  cli_open(&k);
  cli_send(&k, "{\"cmd\":\"status\",\"id\":\"h\"}\n");
  shutdown(k.fd, SHUT_WR);
  CHECK(wait_req(c, &r, 3000));
  sleep_ms(50);
  control_reply(c, r.client, r.req, json_pack("{s:b}", "ok", 1));
  ctl_request_free(&r);
  line = cli_line(&k, 3000);
  CHECK_STR(str(line, "id"), "h");
  json_decref(line);
  CHECK(cli_closed(&k, 3000));
  cli_close(&k);

  /* An answer queued just before the stop still goes out. */
  cli_open(&k);
  cli_send(&k, "{\"cmd\":\"status\",\"id\":9}\n");
  CHECK(wait_req(c, &r, 3000));
  control_reply(c, r.client, r.req, json_pack("{s:b}", "ok", 1));
  ctl_request_free(&r);
  control_stop(c);
  line = cli_line(&k, 3000);
  CHECK_INT(num(line, "id"), 9);
  json_decref(line);
  CHECK(cli_closed(&k, 3000));
  cli_close(&k);
  CHECK(access(sock, F_OK) < 0 && errno == ENOENT); /* removed */
}

static void expect_error(cli *k, const char *req, const char *want) {
  cli_send(k, req);
  json_t *line = cli_line(k, 3000);
  CHECK(json_is_false(json_object_get(line, "ok")));
  const char *e = str(line, "error");
  if (!e || !strstr(e, want)) {
    fprintf(stderr, "request %s: error %s, expected it to hold \"%s\"\n", req,
            e ? e : "(none)", want);
    check_failures++;
  }
  json_decref(line);
}

static void test_malformed(void) {
  control_opts o = base_opts();
  control *c = start(&o);
  if (!c)
    return;
  cli k;
  cli_open(&k);
  expect_error(&k, "not json\n", "the request is not a JSON object");
  expect_error(&k, "[1,2]\n", "the request is not a JSON object");
  expect_error(&k, "\"status\"\n", "not a JSON object");
  expect_error(&k, "\n", "not a JSON object");
  expect_error(&k, "{\"cmd\":\"st\xff\xfe\"}\n", "not a JSON object");
  expect_error(&k, "{\"cmd\":\"status\"\n", "not a JSON object");
  expect_error(&k, "{}\n", "no \"cmd\" string");
  expect_error(&k, "{\"cmd\":5}\n", "no \"cmd\" string");
  cli_send(&k, "{\"cmd\":\"nope\",\"id\":\"a\"}\r\n");
  json_t *line = cli_line(&k, 3000);
  CHECK_STR(k.raw, "{\"id\":\"a\",\"ok\":false,\"error\":\"unknown command "
                   "\\\"nope\\\"; commands: console, query, jobs, scripts, "
                   "status\"}");
  json_decref(line);
  expect_error(&k, "{\"cmd\":\"console\",\"after\":\"x\"}\n",
               "console: \"run\" must be a string");
  expect_error(&k, "{\"cmd\":\"console\",\"after\":-1}\n", "\"after\"");
  expect_error(&k, "{\"cmd\":\"console\",\"run\":5}\n", "\"run\"");
  expect_error(&k, "{\"cmd\":\"query\"}\n", "query: \"kfl\" must be a string");
  expect_error(&k, "{\"cmd\":\"query\",\"kfl\":1}\n", "\"kfl\" must be");
  expect_error(&k, "{\"cmd\":\"query\",\"kfl\":\"\",\"limit\":1.5}\n",
               "\"limit\" must be an integer from 1 to 10000");
  expect_error(&k, "{\"cmd\":\"query\",\"kfl\":\"\",\"limit\":0}\n",
               "\"limit\"");
  expect_error(&k, "{\"cmd\":\"query\",\"kfl\":\"\",\"limit\":10001}\n",
               "\"limit\"");
  expect_error(&k, "{\"cmd\":\"query\",\"kfl\":\"\",\"since_ms\":\"1h\"}\n",
               "\"since_ms\"");
  /* No store here: the query says which part is missing. */
  expect_error(&k, "{\"cmd\":\"query\",\"kfl\":\"\"}\n", "no item store");
  /* A long unknown command is cut in the error, at a character. */
  char big[400];
  snprintf(big, sizeof big, "{\"cmd\":\"%s\"}\n",
           "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
           "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
           "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
           "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
           "\xc3\xa9");
  expect_error(&k, big, "unknown command");
  /* Still served after all that. */
  round_trip(c, &k, "{\"cmd\":\"status\"}\n", CTL_STATUS);

  /* A burst of requests past the per-client cap is refused, not queued. */
  char *burst = malloc(80 * 20 + 1);
  burst[0] = '\0';
  for (int i = 0; i < 80; i++)
    strcat(burst, "{\"cmd\":\"status\"}\n");
  cli_send(&k, burst);
  free(burst);
  int refused = 0;
  for (int i = 0; i < 16; i++) {
    line = cli_line(&k, 3000);
    refused += str(line, "error") &&
               strstr(str(line, "error"), "too many requests waiting") != NULL;
    json_decref(line);
  }
  CHECK_INT(refused, 16);
  ctl_request r;
  int queued = 0;
  while (control_next(c, &r)) {
    queued++;
    ctl_request_free(&r);
  }
  CHECK_INT(queued, 64);
  cli_close(&k);
  control_stop(c);
}

/* ---- the line cap ---- */

typedef struct flood {
  int fd;
  size_t sent;
} flood;

static void *flood_run(void *arg) {
  flood *f = arg;
  static char chunk[65536];
  memset(chunk, 'a', sizeof chunk);
  while (f->sent < (100u << 20)) {
    ssize_t w = send(f->fd, chunk, sizeof chunk, MSG_NOSIGNAL);
    if (w <= 0)
      break;
    f->sent += (size_t)w;
  }
  return NULL;
}

static char *padded_status(size_t total) {
  static const char head[] = "{\"cmd\":\"status\",\"pad\":\"";
  char *s = malloc(total + 2);
  size_t h = sizeof head - 1;
  memcpy(s, head, h);
  memset(s + h, 'p', total - h - 2);
  memcpy(s + total - 2, "\"}\n", 4);
  return s;
}

static void test_line_cap(void) {
  control_opts o = base_opts();
  control *c = start(&o);
  if (!c)
    return;
  cli a, b;
  cli_open(&a);
  cli_open(&b);
  flood f = {a.fd, 0};
  pthread_t th;
  pthread_create(&th, NULL, flood_run, &f);
  round_trip(c, &b, "{\"cmd\":\"status\"}\n", CTL_STATUS);
  json_t *line = cli_line(&a, 5000);
  CHECK(str(line, "error") &&
        strstr(str(line, "error"), "longer than 65536 bytes") != NULL);
  json_decref(line);
  CHECK(cli_closed(&a, 5000));
  pthread_join(th, NULL);
  CHECK(f.sent < (8u << 20)); /* cut off early, not read to the end */
  round_trip(c, &b, "{\"cmd\":\"status\"}\n", CTL_STATUS);
  cli_close(&a);

  /* Exactly at the cap is a line; one byte more is not. */
  char *s = padded_status(65536);
  round_trip(c, &b, s, CTL_STATUS);
  free(s);
  s = padded_status(65537);
  cli_send(&b, s);
  free(s);
  line = cli_line(&b, 3000);
  CHECK(str(line, "error") && strstr(str(line, "error"), "longer than"));
  json_decref(line);
  CHECK(cli_closed(&b, 3000));
  cli_close(&b);
  ctl_request r;
  CHECK(!control_next(c, &r));
  control_stop(c);
}

/* ---- many clients ---- */

#define MANY 1000

static void test_many(void) {
  control_opts o = base_opts();
  control *c = start(&o);
  if (!c)
    return;
  static int fds[MANY];
  static bool answered[MANY];
  int n = 0;
  for (; n < MANY; n++)
    if ((fds[n] = dial(sock)) < 0)
      break;
  CHECK_INT(n, MANY);
  int refused = 0, bad = 0;
  int64_t end = now_ms() + 10000;
  static struct pollfd p[MANY];
  while (refused + bad < n - 64 && now_ms() < end) {
    for (int i = 0; i < n; i++)
      p[i] = (struct pollfd){answered[i] ? -1 : fds[i], POLLIN, 0};
    if (poll(p, (nfds_t)n, 200) <= 0)
      continue;
    for (int i = 0; i < n; i++) {
      if (!p[i].revents)
        continue;
      char buf[256];
      ssize_t r = recv(fds[i], buf, sizeof buf - 1, 0);
      answered[i] = true;
      buf[r > 0 ? r : 0] = '\0';
      if (strcmp(buf, "{\"ok\":false,\"error\":\"too many clients (64); "
                      "close some and retry\"}\n") == 0)
        refused++;
      else
        bad++;
    }
  }
  CHECK_INT(refused, n - 64);
  CHECK_INT(bad, 0);
  CHECK_INT(control_clients(c), 64);
  /* One of those let in is served as usual. */
  for (int i = 0; i < n; i++)
    if (!answered[i]) {
      cli k = {.fd = fds[i]};
      round_trip(c, &k, "{\"cmd\":\"status\"}\n", CTL_STATUS);
      free(k.buf);
      free(k.raw);
      break;
    }
  for (int i = 0; i < n; i++)
    close(fds[i]);
  end = now_ms() + 5000;
  while (control_clients(c) && now_ms() < end)
    sleep_ms(5);
  CHECK_INT(control_clients(c), 0);
  cli k;
  cli_open(&k);
  round_trip(c, &k, "{\"cmd\":\"status\"}\n", CTL_STATUS);
  cli_close(&k);
  control_stop(c);
}

/* Out of descriptors: waiting clients are refused with a reason, the
 * thread does not spin, and it recovers once descriptors are back. */
static void test_out_of_fds(void) {
  control_opts o = base_opts();
  control *c = start(&o);
  if (!c)
    return;
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  set_path(&sa, sock);
  int s1 = socket(AF_UNIX, SOCK_STREAM, 0),
      s2 = socket(AF_UNIX, SOCK_STREAM, 0);
  struct rlimit old, low;
  getrlimit(RLIMIT_NOFILE, &old);
  int lowest = dup(0); /* every number below it is in use */
  close(lowest);
  low = old;
  low.rlim_cur = (rlim_t)lowest;
  CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
  CHECK(dup(0) < 0 && errno == EMFILE);
  struct rusage ru0, ru1;
  getrusage(RUSAGE_SELF, &ru0);
  CHECK(connect(s1, (struct sockaddr *)&sa, sizeof sa) == 0);
  CHECK(connect(s2, (struct sockaddr *)&sa, sizeof sa) == 0);
  cli a = {.fd = s1}, b = {.fd = s2};
  const char *want = "the daemon has no file descriptors left; retry later";
  /* valgrind takes a connection from the kernel before it refuses the
   * descriptor, so there a client may see the end without the reason. */
  const char *vg = getenv("WH_VALGRIND");
  bool exact = !vg || strcmp(vg, "1") != 0;
  json_t *line = cli_line(&a, 3000);
  CHECK(exact ? str(line, "error") && !strcmp(str(line, "error"), want)
              : line || a.eof);
  json_decref(line);
  line = cli_line(&b, 3000);
  CHECK(exact ? str(line, "error") && !strcmp(str(line, "error"), want)
              : line || b.eof);
  json_decref(line);
  sleep_ms(300);
  getrusage(RUSAGE_SELF, &ru1);
  long cpu_ms = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) * 1000 +
                (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1000 +
                (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1000 +
                (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1000;
  CHECK(cpu_ms < 250); /* about 400 ms passed: no busy loop */
  CHECK(setrlimit(RLIMIT_NOFILE, &old) == 0);
  cli_close(&a);
  cli_close(&b);
  cli k;
  cli_open(&k);
  round_trip(c, &k, "{\"cmd\":\"status\"}\n", CTL_STATUS);
  cli_close(&k);
  control_stop(c);
}

/* ---- console ---- */

static void say(control *c, bool err, const char *prefix, int n) {
  char line[256];
  int len = snprintf(line, sizeof line, "%s %d", prefix, n);
  control_console(c, err, line, (size_t)len);
}

/* Subscribes; returns the backlog count (-1 on error).  Lines of an
 * earlier subscription still on the way are skipped. */
static long long subscribe(cli *k, const char *req) {
  cli_send(k, req);
  json_t *line = cli_line(k, 3000);
  while (line && json_object_get(line, "event")) {
    json_decref(line);
    line = cli_line(k, 3000);
  }
  long long n =
      json_is_true(json_object_get(line, "ok")) ? num(line, "backlog") : -1;
  if (n >= 0)
    CHECK_STR(str(line, "run"), "run-1");
  json_decref(line);
  return n;
}

static void test_console_backlog(void) {
  control_opts o = base_opts();
  control *c = start(&o);
  if (!c)
    return;
  int64_t t0 = wall_ms();
  for (int i = 1; i <= 3; i++)
    say(c, false, "[a.js] line", i);
  say(c, true, "[a.js:ERROR] boom", 4);
  cli a;
  cli_open(&a);
  CHECK_INT(subscribe(&a, "{\"cmd\":\"console\",\"id\":\"s1\"}\n"), 4);
  for (int i = 1; i <= 4; i++) {
    json_t *ev = cli_line(&a, 3000);
    CHECK_STR(str(ev, "event"), "console");
    CHECK_STR(str(ev, "id"), "s1");
    CHECK_INT(num(ev, "seq"), i);
    CHECK_STR(str(ev, "stream"), i == 4 ? "err" : "out");
    CHECK(num(ev, "time") >= t0 - 1 && num(ev, "time") <= wall_ms() + 1);
    char want[64];
    snprintf(want, sizeof want,
             i == 4 ? "[a.js:ERROR] boom %d" : "[a.js] line %d", i);
    CHECK_STR(str(ev, "line"), want);
    json_decref(ev);
  }
  say(c, false, "[a.js] live", 5);
  json_t *ev = cli_line(&a, 3000);
  CHECK_INT(num(ev, "seq"), 5);
  CHECK_STR(str(ev, "line"), "[a.js] live 5");
  json_decref(ev);

  /* run/after: only the same run's numbers count. */
  cli b;
  cli_open(&b);
  CHECK_INT(subscribe(&b, "{\"cmd\":\"console\",\"run\":\"run-1\","
                          "\"after\":3}\n"),
            2);
  ev = cli_line(&b, 3000);
  CHECK_INT(num(ev, "seq"), 4);
  json_decref(ev);
  CHECK_INT(subscribe(&b, "{\"cmd\":\"console\",\"run\":\"run-0\","
                          "\"after\":3}\n"),
            5);
  CHECK_INT(subscribe(&b, "{\"cmd\":\"console\",\"after\":3}\n"), 5);
  CHECK_INT(subscribe(&b, "{\"cmd\":\"console\",\"run\":\"run-1\","
                          "\"after\":99}\n"),
            0);
  cli_close(&b);

  /* Text that is not clean UTF-8 still makes valid JSON. */
  static const char odd[] = "bad \xff ok \xed\xa0\xbd\xed\xb8\x80 q\"\\\t\x01";
  control_console(c, false, odd, sizeof odd - 1);
  ev = cli_line(&a, 3000);
  CHECK_STR(str(ev, "line"),
            "bad \xef\xbf\xbd ok \xf0\x9f\x98\x80 q\"\\\t\x01");
  json_decref(ev);

  /* The backlog is the last 1,000 lines. */
  for (int i = 0; i < 1100; i++)
    say(c, false, "[b.js] n", i);
  cli_open(&b);
  CHECK_INT(subscribe(&b, "{\"cmd\":\"console\"}\n"), 1000);
  ev = cli_line(&b, 3000);
  CHECK_INT(num(ev, "seq"), 1106 - 999);
  json_decref(ev);
  cli_close(&b);
  cli_close(&a);
  control_console(NULL, false, "x", 1); /* no control: nothing happens */
  control_stop(c);
}

/* A subscriber that does not read: its lines are dropped, not kept, and
 * it is told how many once it reads again. */
static void test_console_slow(void) {
  control_opts o = base_opts();
  control *c = start(&o);
  if (!c)
    return;
  cli slow, other;
  cli_open(&slow);
  cli_open(&other);
  int small = 4096;
  setsockopt(slow.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  CHECK_INT(subscribe(&slow, "{\"cmd\":\"console\"}\n"), 0);
  char line[1100];
  memset(line, 'x', sizeof line);
  const int total = 20000;
  size_t before = mallinfo2().uordblks;
  int64_t t = now_ms();
  for (int i = 1; i <= total; i++) {
    int n = snprintf(line, 32, "[s.js] %06d ", i);
    line[n] = 'x';
    control_console(c, false, line, sizeof line);
  }
  int64_t spent = now_ms() - t;
  CHECK(spent < 15000); /* never waits for the client */
  sleep_ms(200);
  size_t after = mallinfo2().uordblks;
  if (before) /* 0 under valgrind, which has its own malloc */
    CHECK(after < before + (12u << 20));
  round_trip(c, &other, "{\"cmd\":\"status\"}\n", CTL_STATUS);
  /* Its own requests are still answered, behind the console lines. */
  ctl_request r;
  cli_send(&slow, "{\"cmd\":\"status\",\"id\":\"mine\"}\n");
  CHECK(wait_req(c, &r, 3000));
  control_reply(c, r.client, r.req, json_pack("{s:b}", "ok", 1));
  ctl_request_free(&r);
  sleep_ms(100);
  CHECK_INT(control_clients(c), 2);

  long long expect = 1, dropped_total = 0, got = 0, answers = 0;
  int dropped_events = 0;
  bool order_ok = true;
  while (expect <= total) {
    json_t *ev = cli_line(&slow, 5000);
    if (!ev)
      break;
    if (json_object_get(ev, "ok")) {
      answers += str(ev, "id") && strcmp(str(ev, "id"), "mine") == 0;
    } else if (json_object_get(ev, "dropped")) {
      long long d = num(ev, "dropped");
      order_ok &= d > 0;
      expect += d;
      dropped_total += d;
      dropped_events++;
    } else {
      order_ok &= num(ev, "seq") == expect;
      expect++;
      got++;
    }
    json_decref(ev);
  }
  CHECK(order_ok);
  CHECK_INT(expect, total + 1);
  CHECK_INT(got + dropped_total, total);
  CHECK(dropped_events >= 1);
  CHECK(got >= 1000); /* what fitted, and the ring's last lines */
  CHECK_INT(answers, 1);
  cli_close(&slow);
  cli_close(&other);
  control_stop(c);
}

/* ---- timeouts and output caps ---- */

static char *big_answer(size_t n) {
  char *pad = malloc(n + 1);
  memset(pad, 'z', n);
  pad[n] = '\0';
  return pad;
}

static void test_limits(void) {
  control_opts o = base_opts();
  o.timeout_ms = 300;
  o.max_clients = 8;
  control *c = start(&o);
  if (!c)
    return;
  cli idle, half, greedy, late;
  cli_open(&idle);
  cli_open(&half);

  /* An unfinished line times out. */
  int64_t t = now_ms();
  cli_send(&half, "{\"cmd\"");
  CHECK(cli_closed(&half, 3000));
  CHECK(now_ms() - t >= 250);

  /* (each opened just before use: an idle client is closed after the
   * timeout too) */
  cli_open(&greedy);
  int small = 4096;
  setsockopt(greedy.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);

  /* Over the output cap: closed at once, without waiting. */
  char *pad = big_answer(1u << 20);
  ctl_request r;
  for (int i = 0; i < 8; i++)
    cli_send(&greedy, "{\"cmd\":\"status\"}\n");
  for (int i = 0; i < 8 && wait_req(c, &r, 3000); i++) {
    control_reply(c, r.client, r.req,
                  json_pack("{s:b, s:s}", "ok", 1, "p", pad));
    ctl_request_free(&r);
  }
  /* Under the cap but never read: closed after the timeout. */
  cli_open(&late);
  setsockopt(late.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  cli_send(&late, "{\"cmd\":\"status\"}\n");
  CHECK(wait_req(c, &r, 3000));
  control_reply(c, r.client, r.req, json_pack("{s:b, s:s}", "ok", 1, "p", pad));
  ctl_request_free(&r);
  free(pad);
  int64_t end = now_ms() + 3000;
  while (control_clients(c) > 0 && now_ms() < end)
    sleep_ms(10);
  CHECK(cli_closed(&greedy, 3000));
  CHECK(cli_closed(&late, 3000));
  /* Idle with nothing pending holds a place only for the timeout. */
  CHECK(cli_closed(&idle, 3000));
  CHECK_INT(control_clients(c), 0);
  /* while a console subscriber that reads stays however long it idles */
  cli sub;
  cli_open(&sub);
  cli_send(&sub, "{\"cmd\":\"console\"}\n");
  json_t *ans = cli_line(&sub, 3000);
  CHECK(ans && json_is_true(json_object_get(ans, "ok")));
  json_decref(ans);
  sleep_ms(700);
  CHECK_INT(control_clients(c), 1);
  cli_close(&sub);
  cli_close(&idle);
  cli_close(&half);
  cli_close(&greedy);
  cli_close(&late);
  control_stop(c);
}

/* ---- queries ---- */

typedef struct kfl_filter {
  char text[64];
} fake_filter;

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_open = true;

static kfl_filter *fake_compile(const char *text, char *err, size_t errcap) {
  if (text[0] == '!') {
    snprintf(err, errcap, "1:1: unexpected token \"!\"");
    return NULL;
  }
  fake_filter *f = calloc(1, sizeof *f);
  snprintf(f->text, sizeof f->text, "%s", text);
  return f;
}

static bool fake_match(kfl_filter *f, const json_t *item, json_t **red) {
  if (strcmp(f->text, "block") == 0) {
    pthread_mutex_lock(&gate_lock);
    while (!gate_open)
      pthread_cond_wait(&gate_cond, &gate_lock);
    pthread_mutex_unlock(&gate_lock);
  }
  if (red) {
    *red = json_deep_copy(item);
    json_object_set_new(*red, "secret", json_string("[REDACTED]"));
  }
  long long n = num(item, "n");
  return strncmp(f->text, "even", 4) != 0 || n % 2 == 0;
}

static long fake_limit(const kfl_filter *f) {
  return strcmp(f->text, "even limit(3)") == 0 ? 3 : -1;
}

static void fake_free(kfl_filter *f) {
  free(f);
}

/* Every line may match: the stand-in evaluates them all. */
static bool fake_may_match(const kfl_filter *f, const char *t, size_t n) {
  (void)f, (void)t, (void)n;
  return true;
}

static const kfl_filter_iface fake_kfl = {
    sizeof(kfl_filter_iface), fake_compile, fake_match,
    fake_limit,               fake_free,    fake_may_match};

static int64_t store_made; /* the items are 1..20 s older than this */

static item_store *make_store(void) {
  char dir[256], err[256] = "";
  snprintf(dir, sizeof dir, "%s/data", root);
  mkdir(dir, 0755);
  CHECK(datadir_open_root(dir) == 0);
  item_store_opts io = {0};
  item_store *s = item_store_open(&io, err, sizeof err);
  if (!s)
    fprintf(stderr, "item_store_open: %s\n", err);
  CHECK(s != NULL);
  int64_t now = store_made = wall_ms();
  for (int n = 0; s && n < 20; n++) {
    json_t *it = json_pack("{s:I, s:i, s:s}", "timestamp",
                           (json_int_t)(now - (20 - n) * 1000), "n", n,
                           "secret", "hunter2");
    CHECK(item_store_append(s, it) == 0);
    json_decref(it);
  }
  if (s)
    item_store_flush(s);
  return s;
}

/* Sends a query and takes its CTL_QUERIED request. */
static bool queried(control *c, cli *k, const char *req, ctl_request *r) {
  cli_send(k, req);
  if (!wait_req(c, r, 5000))
    return false;
  CHECK_INT(r->kind, CTL_QUERIED);
  return true;
}

/* A query's answer may pass 4 MiB while the client reads it later, and
 * what follows it is not counted against the small cap. */
static void big_query_answer(control *c, cli *k) {
  ctl_request r;
  if (!queried(c, k, "{\"cmd\":\"query\",\"kfl\":\"\",\"id\":\"big\"}\n", &r))
    return;
  char *pad = big_answer(400000);
  for (size_t i = 0; i < json_array_size(r.items); i++)
    control_reply(
        c, r.client, r.req,
        json_pack("{s:s, s:{s:s}}", "event", "item", "item", "pad", pad));
  control_reply(c, r.client, r.req, json_pack("{s:b}", "ok", 1));
  ctl_request_free(&r);
  free(pad);
  cli_send(k, "{\"cmd\":\"status\",\"id\":\"after\"}\n");
  CHECK(wait_req(c, &r, 3000));
  control_reply(c, r.client, r.req, json_pack("{s:b}", "ok", 1));
  ctl_request_free(&r);
  sleep_ms(200);
  int items = 0, finals = 0;
  json_t *line;
  while ((line = cli_line(k, 3000)) != NULL) {
    items += json_object_get(line, "event") != NULL;
    finals += json_object_get(line, "ok") != NULL;
    json_decref(line);
    if (finals == 2)
      break;
  }
  CHECK_INT(items, 20);
  CHECK_INT(finals, 2);
  line = k->raw ? json_loads(k->raw, 0, NULL) : NULL;
  CHECK_STR(str(line, "id"), "after");
  json_decref(line);
}

static void test_query(void) {
  item_store *s = make_store();
  if (!s)
    return;
  control_opts o = base_opts();
  o.items = s;
  o.kfl = &fake_kfl;
  control *c = start(&o);
  if (!c)
    return;
  cli k;
  cli_open(&k);
  ctl_request r;
  if (queried(c, &k,
              "{\"cmd\":\"query\",\"kfl\":\"even\",\"limit\":2,"
              "\"id\":3}\n",
              &r)) {
    CHECK_INT(json_array_size(r.items), 2);
    CHECK_INT(num(json_array_get(r.items, 0), "n"), 18); /* newest first */
    CHECK_INT(num(json_array_get(r.items, 1), "n"), 16);
    CHECK_STR(str(json_array_get(r.items, 0), "secret"), "[REDACTED]");
    CHECK(r.scanned >= 3);
    CHECK_INT(num(r.req, "id"), 3);
    /* The script thread answers; the query's lines reach the client. */
    for (size_t i = 0; i < json_array_size(r.items); i++)
      control_reply(c, r.client, r.req,
                    json_pack("{s:s, s:O}", "event", "item", "item",
                              json_array_get(r.items, i)));
    control_reply(c, r.client, r.req,
                  json_pack("{s:b, s:i, s:I}", "ok", 1, "count", 2, "scanned",
                            (json_int_t)r.scanned));
    ctl_request_free(&r);
    for (int i = 0; i < 3; i++) {
      json_t *line = cli_line(&k, 3000);
      CHECK_INT(num(line, "id"), 3);
      CHECK(i < 2 ? num(json_object_get(line, "item"), "n") == 18 - 2 * i
                  : json_is_true(json_object_get(line, "ok")));
      json_decref(line);
    }
  }
  big_query_answer(c, &k);
  if (queried(c, &k, "{\"cmd\":\"query\",\"kfl\":\"even limit(3)\"}\n", &r)) {
    CHECK_INT(json_array_size(r.items), 3); /* limit(3) lowers 100 */
    ctl_request_free(&r);
  }
  if (queried(c, &k, "{\"cmd\":\"query\",\"kfl\":\"\"}\n", &r)) {
    CHECK_INT(json_array_size(r.items), 20);
    CHECK_INT(r.scanned, 20);
    ctl_request_free(&r);
  }
  char since[128];
  snprintf(since, sizeof since,
           "{\"cmd\":\"query\",\"kfl\":\"\",\"since_ms\":%lld}\n",
           (long long)(wall_ms() - store_made + 5500));
  if (queried(c, &k, since, &r)) {
    CHECK_INT(json_array_size(r.items), 5);
    CHECK_INT(num(json_array_get(r.items, 4), "n"), 15);
    ctl_request_free(&r);
  }
  expect_error(&k, "{\"cmd\":\"query\",\"kfl\":\"!\",\"id\":1}\n",
               "kfl: 1:1: unexpected token \"!\"");
  CHECK_STR(k.raw, "{\"id\":1,\"ok\":false,\"error\":\"kfl: 1:1: unexpected "
                   "token \\\"!\\\"\"}");

  /* At most 4 at once. */
  pthread_mutex_lock(&gate_lock);
  gate_open = false;
  pthread_mutex_unlock(&gate_lock);
  for (int i = 0; i < 4; i++)
    cli_send(&k, "{\"cmd\":\"query\",\"kfl\":\"block\"}\n");
  int64_t end = now_ms() + 3000;
  while (control_queries(c) < 4 && now_ms() < end)
    sleep_ms(5);
  CHECK_INT(control_queries(c), 4);
  expect_error(&k, "{\"cmd\":\"query\",\"kfl\":\"\"}\n",
               "4 queries are running; retry");
  pthread_mutex_lock(&gate_lock);
  gate_open = true;
  pthread_cond_broadcast(&gate_cond);
  pthread_mutex_unlock(&gate_lock);
  for (int i = 0; i < 4; i++) {
    CHECK(wait_req(c, &r, 5000));
    CHECK_INT(json_array_size(r.items), 20);
    ctl_request_free(&r);
  }
  CHECK_INT(control_queries(c), 0);
  cli_close(&k);
  control_stop(c);

  o.kfl = NULL; /* the plugin is missing */
  c = start(&o);
  cli_open(&k);
  expect_error(&k, "{\"cmd\":\"query\",\"kfl\":\"\"}\n", "kfl plugin");
  cli_close(&k);
  control_stop(c);
  item_store_close(s);
  datadir_close_root();
}

/* ---- the socket file ---- */

static void test_socket_file(void) {
  char path[300], err[512];
  snprintf(path, sizeof path, "%s/run/deeper/ctl.sock", root);
  struct group *g = getgrnam("adm");
  gid_t gid = g ? g->gr_gid : getegid();
  char group[64];
  snprintf(group, sizeof group, "%s",
           g ? "adm" : (getgrgid(gid) ? getgrgid(gid)->gr_name : "root"));
  control_opts o = base_opts();
  o.socket_path = path;
  o.group = group;
  control *c = start(&o);
  struct stat st;
  CHECK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode));
  CHECK_INT(st.st_mode & 07777, 0660);
  CHECK_INT(st.st_gid, gid);
  char dir[300];
  snprintf(dir, sizeof dir, "%s/run/deeper", root);
  CHECK(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0755);

  /* A live one is refused, and left alone. */
  o.group = NULL;
  control *c2 = control_start(&o, err, sizeof err);
  CHECK(c2 == NULL);
  CHECK(strstr(err, "another wirehook answers on") != NULL);
  CHECK(access(path, F_OK) == 0);
  control_stop(c);
  CHECK(access(path, F_OK) < 0);

  /* A stale one (its daemon died) is replaced. */
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  set_path(&sa, path);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK(bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0);
  close(fd);
  c = start(&o);
  cli k;
  memcpy(sock, path, strlen(path) + 1);
  cli_open(&k);
  round_trip(c, &k, "{\"cmd\":\"status\"}\n", CTL_STATUS);
  cli_close(&k);
  control_stop(c);

  /* Errors name what failed. */
  o.group = "wh-no-such-group";
  CHECK(control_start(&o, err, sizeof err) == NULL);
  CHECK(strstr(err, "group \"wh-no-such-group\" does not exist") != NULL);
  o.group = NULL;
  FILE *f = fopen(path, "w");
  fclose(f);
  CHECK(control_start(&o, err, sizeof err) == NULL);
  CHECK(strstr(err, "is not a socket") != NULL);
  unlink(path);
  char lng[200];
  memset(lng, 'l', sizeof lng - 1);
  lng[sizeof lng - 1] = '\0';
  o.socket_path = lng;
  CHECK(control_start(&o, err, sizeof err) == NULL);
  CHECK(strstr(err, "socket path too long") != NULL);
  snprintf(sock, sizeof sock, "%s/ctl.sock", root);
}

/* ---- signals and the watch ---- */

static void test_signals(void) {
  control_opts o = base_opts();
  o.socket_path = NULL; /* signals work without a socket */
  control *c = start(&o);
  if (!c)
    return;
  ctl_request r;
  kill(getpid(), SIGHUP);
  CHECK(wait_req(c, &r, 3000));
  CHECK_INT(r.kind, CTL_SCRIPTS);
  CHECK_INT(r.client, 0);
  CHECK_STR(str(r.req, "cmd"), "scripts");
  CHECK_STR(str(r.req, "action"), "reload");
  ctl_request_free(&r);
  int w0 = atomic_load(&wakes);
  kill(getpid(), SIGTERM);
  int64_t end = now_ms() + 3000;
  while (stop_sig == 0 && now_ms() < end)
    sleep_ms(5);
  CHECK_INT(stop_sig, SIGTERM);
  CHECK(atomic_load(&wakes) > w0);
  stop_sig = 0;
  kill(getpid(), SIGINT);
  end = now_ms() + 3000;
  while (stop_sig == 0 && now_ms() < end)
    sleep_ms(5);
  CHECK_INT(stop_sig, SIGINT);
  stop_sig = 0;
  CHECK(!control_next(c, &r));
  control_stop(c);
}

static int count_reloads(control *c, int ms) {
  ctl_request r;
  int n = 0;
  int64_t end = now_ms() + ms;
  while (now_ms() < end) {
    while (control_next(c, &r)) {
      n += r.kind == CTL_SCRIPTS && r.client == 0;
      ctl_request_free(&r);
    }
    sleep_ms(10);
  }
  return n;
}

static void test_watch(void) {
  char dir[200], file[300], file2[300];
  snprintf(dir, sizeof dir, "%s/scripts", root);
  mkdir(dir, 0755);
  char *dirs[] = {dir, "/nonexistent/wirehook-test"};
  control_opts o = base_opts();
  o.watch_dirs = dirs;
  o.n_watch_dirs = 2;
  control *c = start(&o);
  if (!c)
    return;
  snprintf(file, sizeof file, "%s/a.js", dir);
  FILE *f = fopen(file, "w");
  fputs("function onItemCaptured(d) {}\n", f);
  fflush(f);
  fputs("// more\n", f);
  fclose(f);
  CHECK_INT(count_reloads(c, 200), 0); /* still quiet-waiting */
  CHECK_INT(count_reloads(c, 800), 1);
  CHECK_INT(count_reloads(c, 500), 0);
  snprintf(file2, sizeof file2, "%s/notes.txt", dir);
  f = fopen(file2, "w");
  fclose(f);
  CHECK_INT(count_reloads(c, 600), 0);
  snprintf(file2, sizeof file2, "%s/b.js", dir);
  CHECK(rename(file, file2) == 0);
  CHECK_INT(count_reloads(c, 900), 1);
  control_stop(c);
}

static void raise_fd_limit(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096) {
    rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

int main(void) {
  /* As the daemon does: the control thread reads these from a signalfd,
   * so every thread blocks them, starting here. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  raise_fd_limit();
  snprintf(root, sizeof root, "/tmp/wh-control-XXXXXX");
  if (!mkdtemp(root)) {
    perror("mkdtemp");
    return 1;
  }
  snprintf(sock, sizeof sock, "%s/ctl.sock", root);
  test_round_trip();
  test_malformed();
  test_line_cap();
  test_many();
  test_out_of_fds();
  test_console_backlog();
  test_console_slow();
  test_limits();
  test_query();
  test_socket_file();
  test_signals();
  test_watch();
  char cmd[200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", root);
  return CHECK_DONE();
}
