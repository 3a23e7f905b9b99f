/* Unit tests of the control-socket commands (daemon/cli_control*.c,
 * daemon/control/client.c): each test starts a tiny server in a child
 * process on a temporary Unix socket that answers with canned lines
 * (doc/control.md), runs the command in this process with stdout and
 * stderr sent to files (or to a pseudo-terminal), and checks what it
 * printed, its exit status and the request line it sent.  The real daemon
 * is tested end to end elsewhere; these tests cover the rendering, the
 * options and what the client does with a daemon that misbehaves. */
#define _GNU_SOURCE
#include "config.h"

#include "check.h"
#include "cli.h"
#include "cli_control.h"
#include "cli_control_internal.h"
#include "control/client.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static char tmp[200], sock_path[220], req_log[220];
static char out[1 << 18], err[1 << 18], reqs[1 << 18];

/* ---- the canned server ---- */

enum { AFTER_CLOSE, AFTER_HOLD, AFTER_TERM };

typedef struct conn {
  const char *answer; /* lines written after the request; NULL: none */
  unsigned gap_ms;    /* pause before each line of the answer */
  size_t big;         /* then this many 'x' without a newline */
  int after;          /* close, hold until the client closes, or SIGTERM
                       * the client (this process) and hold */
} conn;

static void msleep(unsigned ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
    ;
}

static void set_path(struct sockaddr_un *sa, const char *path) {
  size_t n = strlen(path);
  if (n >= sizeof(sa->sun_path)) {
    fprintf(stderr, "socket path too long: %s\n", path);
    exit(99);
  }
  memcpy(sa->sun_path, path, n + 1);
}

static int listen_on(const char *path) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  set_path(&sa, path);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
      listen(fd, 8) < 0) {
    perror(path);
    exit(99);
  }
  return fd;
}

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w <= 0)
      return; /* the client gave up: that is what some tests want */
    p += w;
    n -= (size_t)w;
  }
}

/* Reads the request line and logs it (one line per connection). */
static void log_request(int fd) {
  static char line[200000];
  size_t n = 0;
  while (n < sizeof(line) - 1) {
    ssize_t r = read(fd, line + n, 1);
    if (r <= 0 || line[n] == '\n')
      break;
    n++;
  }
  FILE *f = fopen(req_log, "a");
  if (f) {
    fprintf(f, "%.*s\n", (int)n, line);
    fclose(f);
  }
}

static void send_answer(int fd, const conn *c) {
  const char *p = c->answer;
  while (p && *p) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
    if (c->gap_ms)
      msleep(c->gap_ms);
    write_all(fd, p, n);
    p += n;
  }
  char chunk[65536];
  memset(chunk, 'x', sizeof(chunk));
  for (size_t left = c->big; left > 0;) {
    size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
    write_all(fd, chunk, n);
    left -= n;
  }
}

static void serve_one(int lfd, const conn *c) {
  int fd = accept(lfd, NULL, NULL);
  if (fd < 0)
    _exit(3);
  log_request(fd);
  send_answer(fd, c);
  if (c->after == AFTER_TERM) {
    msleep(300); /* time for the client to print what it got */
    kill(getppid(), SIGTERM);
  }
  if (c->after != AFTER_CLOSE) {
    char b[4096];
    while (read(fd, b, sizeof(b)) > 0)
      ;
  }
  close(fd);
}

/* Starts the server for n connections.  With listen_delay_ms the socket
 * only appears after that long (a daemon that starts late). */
static pid_t serve(const conn *conns, size_t n, unsigned listen_delay_ms) {
  unlink(sock_path);
  unlink(req_log);
  int fd = listen_delay_ms ? -1 : listen_on(sock_path);
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGPIPE, SIG_IGN);
    alarm(30); /* a test that goes wrong must not hang the suite */
    if (listen_delay_ms) {
      msleep(listen_delay_ms);
      fd = listen_on(sock_path);
    }
    for (size_t i = 0; i < n; i++)
      serve_one(fd, &conns[i]);
    _exit(0);
  }
  if (fd >= 0)
    close(fd);
  return pid;
}

static size_t out_len; /* bytes in out, which may hold NULs */

static size_t slurp(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "rb");
  size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
  buf[n] = '\0';
  if (f)
    fclose(f);
  return n;
}

/* Waits for the server and loads the request lines it logged. */
static void finish(pid_t pid) {
  int st = 0;
  waitpid(pid, &st, 0);
  CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  slurp(req_log, reqs, sizeof(reqs));
  unlink(sock_path);
}

/* ---- running a command ---- */

typedef int (*cmd_fn)(int, char **);

static int run_argv(cmd_fn fn, char **argv, int fd_out, int fd_err) {
  int argc = 0;
  char *copy[32];
  for (; argv[argc] && argc < 31; argc++)
    copy[argc] = strdup(argv[argc]); /* getopt permutes its argv */
  copy[argc] = NULL;
  fflush(stdout);
  fflush(stderr);
  int save_out = dup(1), save_err = dup(2);
  dup2(fd_out, 1);
  dup2(fd_err, 2);
  int rc = fn(argc, copy);
  fflush(stdout);
  fflush(stderr);
  dup2(save_out, 1);
  dup2(save_err, 2);
  close(save_out);
  close(save_err);
  for (int i = 0; i < argc; i++)
    free(copy[i]);
  return rc;
}

/* Runs fn with the NULL-terminated arguments; output lands in out/err. */
static int run(cmd_fn fn, ...) {
  char *argv[32];
  int n = 0;
  va_list ap;
  va_start(ap, fn);
  while (n < 31 && (argv[n] = va_arg(ap, char *)))
    n++;
  va_end(ap);
  argv[n] = NULL;
  char po[400], pe[400];
  snprintf(po, sizeof(po), "%s/out", tmp);
  snprintf(pe, sizeof(pe), "%s/err", tmp);
  int fo = open(po, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int rc = run_argv(fn, argv, fo, fe);
  close(fo);
  close(fe);
  out_len = slurp(po, out, sizeof(out));
  slurp(pe, err, sizeof(err));
  return rc;
}

#define S sock_path

#define CHECK_HAS(hay, needle)                                                 \
  do {                                                                         \
    if (!strstr((hay), (needle))) {                                            \
      fprintf(stderr, "%s:%d: \"%s\" not found in:\n%s\n", __FILE__, __LINE__, \
              (needle), (hay));                                                \
      check_failures++;                                                        \
    }                                                                          \
  } while (0)

#define CHECK_HASNT(hay, needle)                                               \
  do {                                                                         \
    if (strstr((hay), (needle))) {                                             \
      fprintf(stderr, "%s:%d: \"%s\" found in:\n%s\n", __FILE__, __LINE__,     \
              (needle), (hay));                                                \
      check_failures++;                                                        \
    }                                                                          \
  } while (0)

static int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

/* ---- formatting ---- */

static void test_durations(void) {
  static const struct {
    const char *s;
    uint64_t ms;
  } good[] = {{"90s", 90000},    {"5m", 300000},        {"2h", 7200000},
              {"7d", 604800000}, {"1h30m", 5400000},    {"500ms", 500},
              {"90", 90000},     {"1d2h3m4s", 93784000}};
  static const char *const bad[] = {"",     "5x",  "1h30",
                                    "h",    "-5s", "5 m",
                                    "1.5h", "s5",  "99999999999999999999s"};
  for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
    uint64_t ms = 0;
    CHECK_INT(fmt_parse_duration(good[i].s, &ms), 0);
    CHECK_INT(ms, good[i].ms);
  }
  for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
    uint64_t ms;
    if (fmt_parse_duration(bad[i], &ms) == 0) {
      fprintf(stderr, "duration \"%s\" was accepted\n", bad[i]);
      check_failures++;
    }
  }
}

static void test_formats(void) {
  char b[64];
  fmt_bytes(b, sizeof(b), 512);
  CHECK_STR(b, "512 B");
  fmt_bytes(b, sizeof(b), 1536);
  CHECK_STR(b, "1.5 KiB");
  fmt_bytes(b, sizeof(b), (uint64_t)3 << 30);
  CHECK_STR(b, "3.0 GiB");
  fmt_uptime(b, sizeof(b), 93780);
  CHECK_STR(b, "1d 2h 3m");
  fmt_uptime(b, sizeof(b), 7380);
  CHECK_STR(b, "2h 3m");
  fmt_uptime(b, sizeof(b), 184);
  CHECK_STR(b, "3m 4s");
  fmt_uptime(b, sizeof(b), 4);
  CHECK_STR(b, "4s");
  fmt_local_time(b, sizeof(b), 1700000000123LL, true);
  CHECK_STR(b, "2023-11-14 22:13:20.123");
  fmt_local_time(b, sizeof(b), 1700000000123LL, false);
  CHECK_STR(b, "2023-11-14 22:13:20");
  CHECK_INT(fmt_width("✓ab→"), 4);
  char *s = fmt_cut("/api/v1/orders", 8);
  CHECK_STR(s, "/api/v1…");
  CHECK_INT(fmt_width(s), 8);
  free(s);
  s = fmt_cut("→→→→", 4);
  CHECK_STR(s, "→→→→");
  free(s);
  s = fmt_clean("a\033[31mb\tc\xc2\x9b"
                "d",
                false);
  CHECK_STR(s, "a\\x1b[31mb\\x09c\\u009bd");
  free(s);
  s = fmt_clean("a\tb\nc\rd", true);
  CHECK_STR(s, "a\tb\nc\\x0dd");
  free(s);
}

static void test_table_shrink(void) {
  table t;
  table_init(&t, 3);
  t.shrink = 1;
  t.right[2] = true;
  const char *r1[] = {"GET", "/a/very/long/path/that/does/not/fit/at/all/x",
                      "12 ms"};
  const char *r2[] = {"POST", "/short", "3 ms"};
  table_add(&t, r1);
  table_add(&t, r2);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  table_print(&t, f, 30, false);
  fclose(f);
  CHECK_STR(buf, "GET   /a/very/long/pat…  12 ms\n"
                 "POST  /short              3 ms\n");
  free(buf);
  f = open_memstream(&buf, &len);
  table_print(&t, f, 0, false); /* no width: nothing is cut */
  fclose(f);
  CHECK_HAS(buf, "/a/very/long/path/that/does/not/fit/at/all/x  12 ms");
  free(buf);
  table_free(&t);
}

/* ---- status ---- */

static const char status_answer[] =
    "{\"ok\":true,\"status\":{\"version\":\"0.1.0\",\"pid\":1234,\"run\":"
    "\"1795736549\",\"uptime_s\":93780,\"capture\":{\"interface\":\"eth0\","
    "\"packets\":1000,\"bytes\":1536,\"items\":20,\"queue\":{\"depth\":3,"
    "\"capacity\":4096},\"dropped\":{\"items\":0,\"packets\":0,\"kernel\":3,"
    "\"bad\":1,\"non_ip\":0}},\"scripts\":[{\"script\":\"a.js\",\"path\":"
    "\"/x/a.js\",\"hooks\":{\"onItemCaptured\":{\"calls\":10,\"errors\":1,"
    "\"timeouts\":0,\"ms\":5.0}}},{\"script\":\"b.js\",\"path\":\"/x/b.js\","
    "\"hooks\":{}}],\"jobs\":{\"running\":true,\"count\":2,\"runs\":7,"
    "\"skipped\":1},\"storage\":{\"dir\":\"/var/lib/wirehook\",\"pcaps\":{"
    "\"bytes\":3145728,\"files\":12},\"items\":{\"bytes\":1024,\"segments\":2,"
    "\"items\":20}},\"control\":{\"clients\":1,\"queries\":0}}}\n";

static void test_status(void) {
  conn c = {.answer = status_answer};
  pid_t pid = serve(&c, 1, 0);
  CHECK_INT(run(cmd_status, "status", "-S", S, NULL), EXIT_OK);
  finish(pid);
  CHECK_STR(reqs, "{\"cmd\":\"status\"}\n");
  CHECK_STR(err, "");
  CHECK_HAS(out, "daemon\n  version     0.1.0\n  pid         1234\n"
                 "  uptime      1d 2h 3m\n");
  CHECK_HAS(out, "capture\n  interface   eth0\n  packets     1000\n"
                 "  bytes       1.5 KiB\n  items       20\n"
                 "  queue       3/4096\n  dropped     kernel 3, bad 1\n");
  CHECK_HAS(out, "  SCRIPT  HOOK            CALLS  ERRORS  TIMEOUTS    MEAN\n"
                 "  a.js    onItemCaptured     10       1         0  500 µs\n"
                 "  b.js    (no hooks)\n");
  CHECK_HAS(out, "jobs\n  scheduler   running, 2 jobs, 7 runs, 1 skipped\n");
  CHECK_HAS(out, "storage\n  dir         /var/lib/wirehook\n"
                 "  pcaps       3.0 MiB in 12 files\n"
                 "  items       1.0 KiB in 2 segments, 20 items\n");
  CHECK_HAS(out, "control\n  clients     1\n  queries     0\n");

  pid = serve(&c, 1, 0);
  CHECK_INT(run(cmd_status, "status", "--json", "--socket", S, NULL), EXIT_OK);
  finish(pid);
  json_t *want = json_loads(status_answer, 0, NULL);
  char *s = json_dumps(json_object_get(want, "status"), JSON_COMPACT);
  CHECK_INT(strncmp(out, s, strlen(s)), 0);
  CHECK_STR(out + strlen(s), "\n");
  free(s);
  json_decref(want);

  /* No capture, nothing dropped, no scripts. */
  conn quiet = {.answer =
                    "{\"ok\":true,\"status\":{\"version\":\"0.1.0\",\"pid\":1,"
                    "\"uptime_s\":4,\"capture\":null,\"scripts\":[]}}\n"};
  pid = serve(&quiet, 1, 0);
  CHECK_INT(run(cmd_status, "status", "-S", S, NULL), EXIT_OK);
  finish(pid);
  CHECK_HAS(out, "  uptime      4s\ncapture\n  interface   none");
  CHECK_HAS(out, "scripts\n  none\n");
  CHECK_HAS(out, "storage\n  dir         ?\n  pcaps       none\n"
                 "  items       none\n");

  conn odd = {.answer = "{\"ok\":true}\n"};
  pid = serve(&odd, 1, 0);
  CHECK_INT(run(cmd_status, "status", "-S", S, NULL), EXIT_RUNTIME);
  finish(pid);
  CHECK_HAS(err, "wirehook status: the daemon's answer has no status object");
}

/* ---- query ---- */

static const char item_http[] =
    "{\"protocol\":{\"abbr\":\"HTTP\"},\"src\":{\"ip\":\"10.0.0.7\",\"port\":"
    "\"51734\",\"name\":\"\"},\"dst\":{\"ip\":\"10.0.0.9\",\"port\":\"8080\","
    "\"name\":\"orders\"},\"timestamp\":1700000000123,\"request\":{\"method\":"
    "\"POST\",\"path\":\"/api/v1/orders\"},\"response\":{\"status\":201},"
    "\"elapsedTime\":4,\"passed\":true,\"failed\":false}";
static const char item_dns[] =
    "{\"protocol\":{\"abbr\":\"DNS\"},\"src\":{\"ip\":\"::1\",\"port\":"
    "\"40411\",\"name\":\"\"},\"dst\":{\"ip\":\"10.0.0.2\",\"port\":\"53\","
    "\"name\":\"kube-dns\"},\"timestamp\":1700000001500,\"request\":{"
    "\"opCode\":\"Query\",\"questions\":[{\"name\":\"api.example.com\","
    "\"type\":\"AAAA\",\"class\":\"IN\"}]},\"response\":{\"code\":"
    "\"Non-Existent Domain\",\"answers\":[]},\"elapsedTime\":2,\"passed\":"
    "true,\"failed\":true}";
static const char item_lost[] =
    "{\"protocol\":{\"abbr\":\"HTTP\"},\"src\":{\"ip\":\"10.0.0.7\",\"port\":"
    "\"1\",\"name\":\"\"},\"dst\":{\"ip\":\"10.0.0.9\",\"port\":\"80\","
    "\"name\":\"\"},\"timestamp\":1700000002000,\"request\":{\"method\":"
    "\"GET\",\"path\":\"/\\u001b[2Jevil/a/long/path/for/cutting/on/narrow/"
    "terminals\"},\"response\":{},\"error\":{\"type\":\"timeout\",\"msg\":"
    "\"no response within 30s\"},\"elapsedTime\":0,\"passed\":false,"
    "\"failed\":false}";

static char query_answer[8192];

static void build_query_answer(void) {
  snprintf(query_answer, sizeof(query_answer),
           "{\"event\":\"item\",\"item\":%s}\n"
           "{\"event\":\"item\",\"item\":%s}\n"
           "{\"event\":\"item\",\"item\":%s}\n"
           "{\"ok\":true,\"count\":3,\"scanned\":5230}\n",
           item_http, item_dns, item_lost);
}

static void test_query_table(void) {
  conn c = {.answer = query_answer};
  pid_t pid = serve(&c, 1, 0);
  CHECK_INT(run(cmd_query, "query", "http or dns", "--limit", "5", "--since",
                "1h30m", "-S", S, NULL),
            EXIT_OK);
  finish(pid);
  CHECK_STR(reqs, "{\"cmd\":\"query\",\"kfl\":\"http or dns\",\"limit\":5,"
                  "\"since_ms\":5400000}\n");
  CHECK_STR(err, "3 items (scanned 5230)\n");
  CHECK_INT(count_lines(out), 3);
  CHECK_HAS(out, "✓  2023-11-14 22:13:20.123  HTTP  10.0.0.7:51734 → "
                 "orders:8080  POST  /api/v1/orders");
  CHECK_HAS(out, "201                  4 ms\n");
  /* failed wins over passed; IPv6 in brackets; DNS type, name, code */
  CHECK_HAS(out, "✗  2023-11-14 22:13:21.500  DNS   [::1]:40411 → "
                 "kube-dns:53     AAAA  api.example.com");
  CHECK_HAS(out, "Non-Existent Domain  2 ms\n");
  /* unanswered: "-" and the error type, no delay; the escape is shown,
   * not sent to the terminal */
  CHECK_HAS(out, "   2023-11-14 22:13:22.000  HTTP  10.0.0.7:1 → "
                 "10.0.0.9:80      GET   /\\x1b[2Jevil");
  CHECK_HAS(out, "- timeout               -\n");
  CHECK(!strchr(out, '\033'));
}

static void test_query_json(void) {
  conn c = {.answer = query_answer};
  pid_t pid = serve(&c, 1, 0);
  CHECK_INT(run(cmd_query, "query", "--json", "-S", S, "dns", NULL), EXIT_OK);
  finish(pid);
  CHECK_STR(reqs, "{\"cmd\":\"query\",\"kfl\":\"dns\"}\n");
  char want[8192];
  const char *items[] = {item_http, item_dns, item_lost};
  size_t n = 0;
  for (size_t i = 0; i < 3; i++) {
    json_t *j = json_loads(items[i], 0, NULL);
    char *s = json_dumps(j, JSON_COMPACT);
    n += (size_t)snprintf(want + n, sizeof(want) - n, "%s\n", s);
    free(s);
    json_decref(j);
  }
  CHECK_STR(out, want);
  CHECK_STR(err, "3 items (scanned 5230)\n");

  conn none = {.answer = "{\"ok\":true,\"count\":0,\"scanned\":12}\n"};
  pid = serve(&none, 1, 0);
  CHECK_INT(run(cmd_query, "query", "http", "-S", S, NULL), EXIT_OK);
  finish(pid);
  CHECK_STR(out, "");
  CHECK_STR(err, "0 items (scanned 12)\n");
}

static void test_query_errors(void) {
  conn bad = {.answer = "{\"ok\":false,\"error\":\"kfl: 1:6: unexpected token "
                        "\\\")\\\"\"}\n"};
  pid_t pid = serve(&bad, 1, 0);
  CHECK_INT(run(cmd_query, "query", "http )", "-S", S, NULL), EXIT_RUNTIME);
  finish(pid);
  CHECK_STR(err, "wirehook query: kfl: 1:6: unexpected token \")\"\n");
  CHECK_STR(out, "");

  /* Usage errors never reach the socket (there is none). */
  unlink(sock_path);
  static const char *const usage[][6] = {
      {"query", NULL},
      {"query", "a", "b", NULL},
      {"query", "http", "--limit", "0", NULL},
      {"query", "http", "--limit", "10001", NULL},
      {"query", "http", "--limit", "5x", NULL},
      {"query", "http", "--since", "5x", NULL},
      {"query", "http", "--since", "0s", NULL},
      {"query", "http", "--no-follow", NULL},
      {"query", "http", "--bogus", NULL},
      {"query", "http", "--limit", NULL},
      {"query", "\xff\xfe", NULL},
  };
  for (size_t i = 0; i < sizeof(usage) / sizeof(*usage); i++) {
    char *argv[8] = {0};
    for (size_t j = 0; usage[i][j]; j++)
      argv[j] = (char *)usage[i][j];
    char pe[400];
    snprintf(pe, sizeof(pe), "%s/err", tmp);
    int fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int rc = run_argv(cmd_query, argv, fe, fe);
    close(fe);
    slurp(pe, err, sizeof(err));
    if (rc != EXIT_USAGE || strncmp(err, "wirehook: ", 10) != 0 ||
        !strstr(err, "usage: wirehook query")) {
      fprintf(stderr, "usage case %zu: rc %d, stderr:\n%s\n", i, rc, err);
      check_failures++;
    }
  }
  CHECK_INT(run(cmd_query, "query", "http", "--since", "5x", "-S", S, NULL),
            EXIT_USAGE);
  CHECK_HAS(err, "wirehook: --since 5x: give a duration like 90s");
  CHECK_INT(run(cmd_query, "query", "--help", NULL), EXIT_OK);
  CHECK_HAS(out, "usage: wirehook query KFL");

  /* A KFL longer than a request line may be is refused before it goes. */
  size_t n = CTL_CLIENT_MAX_REQUEST + 10;
  char *kfl = malloc(n + 1);
  memset(kfl, 'a', n);
  kfl[n] = '\0';
  conn silent = {.answer = NULL};
  pid = serve(&silent, 1, 0);
  CHECK_INT(run(cmd_query, "query", kfl, "-S", S, NULL), EXIT_RUNTIME);
  finish(pid);
  CHECK_HAS(err, "more than the socket's limit of 65536; shorten it");
  free(kfl);
}

/* A daemon that answers slowly, never, with garbage, or too much. */
static void test_hostile_answers(void) {
  /* Each line within the timeout: the timer restarts on every line. */
  cli_control_set_limits(400, 0, 0);
  conn slow = {.answer = query_answer, .gap_ms = 250};
  pid_t pid = serve(&slow, 1, 0);
  CHECK_INT(run(cmd_query, "query", "http", "-S", S, "--json", NULL), EXIT_OK);
  finish(pid);
  CHECK_INT(count_lines(out), 3);

  conn mute = {.answer = NULL, .after = AFTER_HOLD};
  pid = serve(&mute, 1, 0);
  CHECK_INT(run(cmd_status, "status", "-S", S, NULL), EXIT_RUNTIME);
  finish(pid);
  CHECK_HAS(err, "wirehook status: no answer from ");
  CHECK_HAS(err, " within 400 ms; ");
  CHECK_HAS(err, "the daemon is busy or stuck");
  cli_control_set_limits(30000, 0, 0);

  conn gone = {.answer = "{\"event\":\"item\",\"item\":{}}\n"};
  pid = serve(&gone, 1, 0);
  CHECK_INT(run(cmd_query, "query", "x", "-S", S, NULL), EXIT_RUNTIME);
  finish(pid);
  CHECK_HAS(err, "closed the connection before answering");

  static const char *const garbage[] = {"hello\n", "[1,2]\n", "{\"ok\":true\n",
                                        "\"ok\"\n"};
  for (size_t i = 0; i < sizeof(garbage) / sizeof(*garbage); i++) {
    conn g = {.answer = garbage[i]};
    pid = serve(&g, 1, 0);
    CHECK_INT(run(cmd_jobs, "jobs", "status", "-S", S, NULL), EXIT_RUNTIME);
    finish(pid);
    CHECK_HAS(err, "wirehook jobs: bad answer from ");
  }

  /* A line beyond the bound is refused without waiting for its end. */
  cli_control_set_limits(0, 0, 1 << 20);
  conn huge = {.answer = "{\"event\":\"item\",\"item\":\"",
               .big = (size_t)3 << 20,
               .after = AFTER_HOLD};
  pid = serve(&huge, 1, 0);
  CHECK_INT(run(cmd_query, "query", "x", "-S", S, NULL), EXIT_RUNTIME);
  finish(pid);
  CHECK_HAS(err, "is longer than 1048576 bytes; giving up");
  cli_control_set_limits(0, 0, CTL_CLIENT_MAX_LINE);

  /* Unknown lines (neither event nor final) are skipped. */
  conn extra = {
      .answer = "{\"hello\":1}\n\n{\"ok\":true,\"running\":true,\"count\":0}"
                "\n"};
  pid = serve(&extra, 1, 0);
  CHECK_INT(run(cmd_jobs, "jobs", "status", "-S", S, NULL), EXIT_OK);
  finish(pid);
  CHECK_STR(out, "scheduler running, 0 jobs\n");
}

/* ---- connection errors and the configuration ---- */

static void test_connect_errors(void) {
  char want[1024];
  unlink(sock_path);
  CHECK_INT(run(cmd_status, "status", "-S", S, NULL), EXIT_RUNTIME);
  snprintf(want, sizeof(want),
           "wirehook: cannot connect to %s: No such file or directory; is the "
           "daemon running? (wirehook run)\n",
           S);
  CHECK_STR(err, want);

  /* A socket left by a daemon that died: refused. */
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  set_path(&sa, S);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
  close(fd);
  CHECK_INT(run(cmd_jobs, "jobs", "list", "-S", S, NULL), EXIT_RUNTIME);
  snprintf(want, sizeof(want),
           "wirehook: cannot connect to %s: Connection refused; is the daemon "
           "running? (wirehook run)\n",
           S);
  CHECK_STR(err, want);
  unlink(sock_path);

  char longp[300];
  memset(longp, 'a', sizeof(longp) - 1);
  longp[0] = '/';
  longp[sizeof(longp) - 1] = '\0';
  CHECK_INT(run(cmd_status, "status", "-S", longp, NULL), EXIT_RUNTIME);
  CHECK_HAS(err, "is longer than 107 bytes; use a shorter [control] socket");
}

/* Runs `status` as a user who may not use the socket: as root, in a child
 * that became nobody (root may connect anyway); otherwise the socket's
 * mode is 0.  Returns its exit status; its stderr lands in err. */
static int status_denied(mode_t dir_mode) {
  char pe[400];
  int rc = -1;
  snprintf(pe, sizeof(pe), "%s/err", tmp);
  int fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  char *argv[] = {"status", "-S", sock_path, NULL};
  fflush(stdout);
  fflush(stderr);
  chmod(tmp, dir_mode);
  if (geteuid() != 0) {
    chmod(sock_path, 0);
    rc = run_argv(cmd_status, argv, fe, fe);
  } else {
    chmod(sock_path, 0660);
    pid_t pid = fork();
    if (pid == 0) {
      if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
        _exit(98);
      _exit(run_argv(cmd_status, argv, fe, fe));
    }
    int ws = 0;
    waitpid(pid, &ws, 0);
    rc = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
  }
  chmod(tmp, 0700);
  close(fe);
  slurp(pe, err, sizeof(err));
  return rc;
}

/* Permission denied names the socket's group to join. */
static void test_permission_denied(void) {
  unlink(sock_path);
  int lfd = listen_on(sock_path);
  struct stat st;
  stat(sock_path, &st);
  struct group *g = getgrgid(st.st_gid);
  char want[1024];
  snprintf(want, sizeof(want),
           "wirehook: cannot connect to %s: Permission denied; the socket is "
           "for its owner and group %s: ask to be added to it\n",
           S, g ? g->gr_name : "?");
  CHECK_INT(status_denied(0755), EXIT_RUNTIME);
  CHECK_STR(err, want);
  if (geteuid() == 0) { /* a directory nobody may enter */
    snprintf(want, sizeof(want),
             "wirehook: cannot connect to %s: Permission denied; its "
             "directory is closed to you: ask the daemon's administrator for "
             "access\n",
             S);
    CHECK_INT(status_denied(0700), EXIT_RUNTIME);
    CHECK_STR(err, want);
  }
  close(lfd);
  unlink(sock_path);
}

static void test_config(void) {
  char ini[400], bad[400];
  snprintf(ini, sizeof(ini), "%s/w.ini", tmp);
  snprintf(bad, sizeof(bad), "%s/bad.ini", tmp);
  FILE *f = fopen(ini, "w");
  fprintf(f, "[control]\nsocket = %s\n", sock_path);
  fclose(f);
  f = fopen(bad, "w");
  fprintf(f, "[control]\nsocket = %s\nbogus = 1\n", sock_path);
  fclose(f);

  conn c = {.answer = "{\"ok\":true,\"running\":false,\"count\":1}\n"};
  pid_t pid = serve(&c, 1, 0);
  CHECK_INT(run(cmd_jobs, "jobs", "status", "-c", ini, NULL), EXIT_OK);
  finish(pid);
  CHECK_STR(out, "scheduler stopped, 1 jobs\n");
  CHECK_STR(reqs, "{\"cmd\":\"jobs\",\"action\":\"status\"}\n");

  CHECK_INT(run(cmd_status, "status", "-c", bad, NULL), EXIT_USAGE);
  CHECK_HAS(err, "bogus");
  CHECK_HAS(err, "(or give the socket with -S PATH)");

  /* -S wins over the configuration (which is then not even read). */
  pid = serve(&c, 1, 0);
  CHECK_INT(run(cmd_jobs, "jobs", "status", "-c", bad, "-S", S, NULL), EXIT_OK);
  finish(pid);
}

/* ---- jobs and scripts reload ---- */

static void test_jobs(void) {
  conn list = {
      .answer =
          "{\"ok\":true,\"running\":false,\"jobs\":[{\"tag\":\"report\","
          "\"cron\":"
          "\"*/5 * * * * *\",\"limit\":0,\"runs\":3,\"skipped\":0,\"lastRun\":"
          "1700000000,\"nextRun\":null,\"running\":false,\"queued\":true,"
          "\"script\":\"a.js\"},{\"tag\":\"t2\",\"cron\":\"@hourly\",\"limit\":"
          "5,"
          "\"runs\":12,\"skipped\":2,\"lastRun\":null,\"nextRun\":1700003600,"
          "\"running\":true,\"queued\":false,\"script\":\"b.js\"},{\"tag\":"
          "\"t3\","
          "\"cron\":\"@daily\",\"limit\":1,\"runs\":0,\"skipped\":0,\"script\":"
          "\"c.js\"}]}\n"};
  pid_t pid = serve(&list, 1, 0);
  CHECK_INT(run(cmd_jobs, "jobs", "list", "-S", S, NULL), EXIT_OK);
  finish(pid);
  CHECK_STR(reqs, "{\"cmd\":\"jobs\",\"action\":\"list\"}\n");
  CHECK_STR(
      out,
      "scheduler stopped\n"
      "TAG     CRON           LIMIT  RUNS  SKIPPED  LAST                 NEXT "
      "                STATE    SCRIPT\n"
      "report  */5 * * * * *      ∞     3        0  2023-11-14 22:13:20  -    "
      "                queued   a.js\n"
      "t2      @hourly            5    12        2  -                    "
      "2023-11-14 23:13:20  running  b.js\n"
      "t3      @daily             1     0        0  -                    -    "
      "                idle     c.js\n");

  conn empty = {.answer = "{\"ok\":true,\"running\":true,\"jobs\":[]}\n"};
  pid = serve(&empty, 1, 0);
  CHECK_INT(run(cmd_jobs, "jobs", "list", "-S", S, NULL), EXIT_OK);
  finish(pid);
  CHECK_STR(out, "no jobs\n");

  conn ok = {.answer = "{\"ok\":true}\n"};
  pid = serve(&ok, 1, 0);
  CHECK_INT(run(cmd_jobs, "jobs", "run", "report", "-S", S, NULL), EXIT_OK);
  finish(pid);
  CHECK_STR(reqs, "{\"cmd\":\"jobs\",\"action\":\"run\",\"tag\":\"report\"}\n");
  CHECK_STR(out, "queued job \"report\"\n");

  static const char *const acts[][2] = {{"start", "scheduler started\n"},
                                        {"stop", "scheduler stopped\n"}};
  for (size_t i = 0; i < 2; i++) {
    pid = serve(&ok, 1, 0);
    CHECK_INT(run(cmd_jobs, "jobs", "-S", S, acts[i][0], NULL), EXIT_OK);
    finish(pid);
    CHECK_STR(out, acts[i][1]);
  }

  pid = serve(&ok, 1, 0);
  CHECK_INT(run(cmd_jobs, "jobs", "remove", "t2", "-S", S, "--json", NULL),
            EXIT_OK);
  finish(pid);
  CHECK_STR(out, "{\"ok\":true}\n");

  conn nojob = {.answer =
                    "{\"ok\":false,\"error\":\"jobs remove: no job with tag "
                    "\\\"x\\\"\"}\n"};
  pid = serve(&nojob, 1, 0);
  CHECK_INT(run(cmd_jobs, "jobs", "remove", "x", "-S", S, NULL), EXIT_RUNTIME);
  finish(pid);
  CHECK_STR(err, "wirehook jobs: jobs remove: no job with tag \"x\"\n");

  unlink(sock_path);
  CHECK_INT(run(cmd_jobs, "jobs", "-S", S, NULL), EXIT_USAGE);
  CHECK_HAS(err, "wirehook: jobs: missing action\nusage: wirehook jobs");
  CHECK_INT(run(cmd_jobs, "jobs", "run", "-S", S, NULL), EXIT_USAGE);
  CHECK_HAS(err, "jobs run needs one TAG");
  CHECK_INT(run(cmd_jobs, "jobs", "list", "x", "-S", S, NULL), EXIT_USAGE);
  CHECK_HAS(err, "jobs list: unexpected argument x");
  CHECK_INT(run(cmd_jobs, "jobs", "explode", "-S", S, NULL), EXIT_USAGE);
  CHECK_HAS(err, "jobs: unknown action explode");
  CHECK_INT(run(cmd_jobs, "jobs", "list", "--since", "5m", NULL), EXIT_USAGE);
  CHECK_HAS(err, "jobs: --since is not accepted here");
}

static void test_scripts_reload(void) {
  conn mixed = {
      .answer =
          "{\"ok\":true,\"scripts\":[{\"script\":\"a.js\",\"status\":"
          "\"reloaded\"},{\"script\":\"b.js\",\"status\":\"refused\",\"error\":"
          "\"b.js:3: SyntaxError: parse "
          "error\"},{\"script\":\"c.js\",\"status\":"
          "\"unchanged\"},{\"script\":\"d.js\",\"status\":\"removed\"},"
          "{\"script\":\"e.js\",\"status\":\"added\"}]}\n"};
  pid_t pid = serve(&mixed, 1, 0);
  CHECK_INT(run(cmd_scripts_reload, "scripts", "reload", "-S", S, NULL),
            EXIT_RUNTIME);
  finish(pid);
  CHECK_STR(reqs, "{\"cmd\":\"scripts\",\"action\":\"reload\"}\n");
  CHECK_STR(out, "reloaded a.js\n"
                 "refused b.js: b.js:3: SyntaxError: parse error\n"
                 "unchanged c.js\nremoved d.js\nadded e.js\n");

  pid = serve(&mixed, 1, 0);
  CHECK_INT(
      run(cmd_scripts_reload, "scripts", "reload", "--json", "-S", S, NULL),
      EXIT_RUNTIME);
  finish(pid);
  CHECK_HAS(out, "{\"ok\":true,\"scripts\":[{\"script\":\"a.js\"");

  conn fine = {.answer =
                   "{\"ok\":true,\"scripts\":[{\"script\":\"a.js\",\"status\":"
                   "\"unchanged\"}]}\n"};
  pid = serve(&fine, 1, 0);
  CHECK_INT(run(cmd_scripts_reload, "scripts", "reload", "-S", S, NULL),
            EXIT_OK);
  finish(pid);
  CHECK_STR(out, "unchanged a.js\n");

  CHECK_INT(run(cmd_scripts_reload, "scripts", "reload", "x", NULL),
            EXIT_USAGE);
  CHECK_HAS(err, "scripts reload: unexpected argument x");
  CHECK_INT(run(cmd_scripts_reload, "scripts", "reload", "-h", NULL), EXIT_OK);
  CHECK_HAS(out, "usage: wirehook scripts reload");
}

/* ---- console ---- */

static void test_console_backlog(void) {
  conn c = {
      .answer =
          "{\"ok\":true,\"run\":\"r1\",\"backlog\":3}\n"
          "{\"event\":\"console\",\"seq\":1,\"time\":1,\"stream\":\"out\","
          "\"line\":\"[a.js] hello\"}\n"
          "{\"event\":\"console\",\"dropped\":7}\n"
          "{\"event\":\"console\",\"seq\":2,\"time\":2,\"stream\":\"err\","
          "\"line\":\"[a.js:ERROR] boom\"}\n"
          "{\"event\":\"console\",\"seq\":3,\"time\":3,\"stream\":\"out\","
          "\"line\":\"tab\\there\\u0000nul\"}\n",
      .after = AFTER_HOLD};
  pid_t pid = serve(&c, 1, 0);
  CHECK_INT(run(cmd_console, "console", "-n", "-S", S, NULL), EXIT_OK);
  finish(pid);
  CHECK_STR(reqs, "{\"cmd\":\"console\"}\n");
  static const char want_out[] = "[a.js] hello\ntab\there\0nul\n";
  CHECK(out_len == sizeof(want_out) - 1 && !memcmp(out, want_out, out_len));
  CHECK_STR(err, "wirehook console: 7 lines dropped (the console could not "
                 "keep up)\n[a.js:ERROR] boom\n");

  conn none = {.answer = "{\"ok\":true,\"run\":\"r1\",\"backlog\":0}\n",
               .after = AFTER_HOLD};
  pid = serve(&none, 1, 0);
  CHECK_INT(run(cmd_console, "console", "--no-follow", "-S", S, NULL), EXIT_OK);
  finish(pid);
  CHECK_STR(out, "");

  /* The daemon goes away before the backlog is complete. */
  conn cut = {
      .answer = "{\"ok\":true,\"run\":\"r1\",\"backlog\":2}\n"
                "{\"event\":\"console\",\"seq\":1,\"stream\":\"out\",\"line\":"
                "\"x\"}\n"};
  pid = serve(&cut, 1, 0);
  CHECK_INT(run(cmd_console, "console", "-n", "-S", S, NULL), EXIT_RUNTIME);
  finish(pid);
  CHECK_HAS(err, "closed the connection after 1 of 2 lines");

  conn full = {
      .answer = "{\"ok\":false,\"error\":\"too many clients (64); close some "
                "and retry\"}\n"};
  pid = serve(&full, 1, 0);
  CHECK_INT(run(cmd_console, "console", "-n", "-S", S, NULL), EXIT_RUNTIME);
  finish(pid);
  CHECK_STR(err, "wirehook console: too many clients (64); close some and "
                 "retry\n");

  unlink(sock_path);
  CHECK_INT(run(cmd_console, "console", "-n", "-S", S, NULL), EXIT_RUNTIME);
  CHECK_HAS(err, "is the daemon running? (wirehook run)");
}

/* Follow mode: the daemon starts late, drops the connection, and sends a
 * line again after the reconnect; each line is printed once and SIGTERM
 * ends the command with status 0. */
static void test_console_follow(void) {
  cli_control_set_limits(0, 100, 0);
  conn c[] = {
      {.answer = "{\"ok\":true,\"run\":\"r1\",\"backlog\":2}\n"
                 "{\"event\":\"console\",\"seq\":1,\"stream\":\"out\",\"line\":"
                 "\"a\"}\n"
                 "{\"event\":\"console\",\"seq\":2,\"stream\":\"out\",\"line\":"
                 "\"b\"}\n"},
      {.answer = "{\"ok\":true,\"run\":\"r1\",\"backlog\":2}\n"
                 "{\"event\":\"console\",\"seq\":2,\"stream\":\"out\",\"line\":"
                 "\"b\"}\n"
                 "{\"event\":\"console\",\"seq\":5,\"stream\":\"err\",\"line\":"
                 "\"e\"}\n"},
      {.answer =
           "{\"ok\":true,\"run\":\"r2\",\"backlog\":1}\n"
           "{\"event\":\"console\",\"seq\":1,\"stream\":\"out\",\"line\":\"new "
           "run\"}\n"},
      {.answer = "{\"ok\":true,\"run\":\"r2\",\"backlog\":0}\n",
       .after = AFTER_TERM},
  };
  pid_t pid = serve(c, 4, 300);
  CHECK_INT(run(cmd_console, "console", "-S", S, NULL), EXIT_OK);
  finish(pid);
  CHECK_STR(reqs, "{\"cmd\":\"console\"}\n"
                  "{\"cmd\":\"console\",\"run\":\"r1\",\"after\":2}\n"
                  "{\"cmd\":\"console\",\"run\":\"r1\",\"after\":5}\n"
                  "{\"cmd\":\"console\",\"run\":\"r2\",\"after\":1}\n");
  CHECK_STR(out, "a\nb\nnew run\n");
  char want[4096];
  snprintf(want, sizeof(want),
           "wirehook console: daemon at %s not running; waiting\n"
           "wirehook console: reconnected to %s\n"
           "wirehook console: connection to %s lost; reconnecting\n"
           "wirehook console: reconnected to %s\n"
           "wirehook console: 2 lines missed while disconnected\n"
           "e\n"
           "wirehook console: connection to %s lost; reconnecting\n"
           "wirehook console: reconnected to %s\n"
           "wirehook console: connection to %s lost; reconnecting\n"
           "wirehook console: reconnected to %s\n",
           S, S, S, S, S, S, S, S);
  CHECK_STR(err, want);
  /* The handlers are given back. */
  struct sigaction sa;
  sigaction(SIGTERM, NULL, &sa);
  CHECK(sa.sa_handler == SIG_DFL);
  cli_control_set_limits(0, 1000, 0);
}

/* ---- on a terminal: colours and cutting ---- */

/* Runs fn with stdout (which = 1) or stderr (2) on a pseudo-terminal of
 * `cols` columns; what it wrote, with "\r\n" made "\n", lands in out. */
static int run_pty(int which, unsigned short cols, cmd_fn fn, char **argv) {
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
    perror("posix_openpt");
    exit(99);
  }
  int s = open(ptsname(m), O_RDWR | O_NOCTTY);
  struct winsize ws = {.ws_row = 24, .ws_col = cols};
  ioctl(s, TIOCSWINSZ, &ws);
  char pf[400];
  snprintf(pf, sizeof(pf), "%s/other", tmp);
  int f = open(pf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int rc = which == 1 ? run_argv(fn, argv, s, f) : run_argv(fn, argv, f, s);
  close(f);
  close(s);
  size_t n = 0;
  ssize_t r;
  while (n < sizeof(out) - 1 && (r = read(m, out + n, sizeof(out) - 1 - n)) > 0)
    n += (size_t)r; /* ends with EIO once the terminal side is closed */
  close(m);
  out[n] = '\0';
  char *w = out;
  for (char *p = out; *p; p++)
    if (!(p[0] == '\r' && p[1] == '\n'))
      *w++ = *p;
  *w = '\0';
  return rc;
}

/* Columns of a line without its colour sequences. */
static size_t visible_width(const char *line, size_t len) {
  size_t w = 0;
  for (size_t i = 0; i < len; i++) {
    if (line[i] == '\033') {
      while (i < len && line[i] != 'm')
        i++;
      continue;
    }
    w += ((unsigned char)line[i] & 0xC0) != 0x80;
  }
  return w;
}

static void test_terminal(void) {
  conn c = {.answer = query_answer};
  char *argv[] = {"query", "http", "-S", sock_path, NULL};
  pid_t pid = serve(&c, 1, 0);
  unsetenv("NO_COLOR");
  setenv("TERM", "xterm", 1);
  CHECK_INT(run_pty(1, 120, cmd_query, argv), EXIT_OK);
  finish(pid);
  CHECK_HAS(out, "\033[32m✓\033[0m  2023-11-14 22:13:20.123");
  CHECK_HAS(out, "\033[31m✗\033[0m  2023-11-14 22:13:21.500");
  CHECK_HAS(out, "…");
  CHECK_HASNT(out, "terminals"); /* the end of the long path is cut */
  CHECK_HAS(out, "/\\x1b[2Jevil");
  for (const char *p = out; *p;) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    if (visible_width(p, len) > 120) {
      fprintf(stderr, "line wider than 120 columns: %.*s\n", (int)len, p);
      check_failures++;
    }
    p += len + (nl != NULL);
  }

  setenv("NO_COLOR", "1", 1);
  pid = serve(&c, 1, 0);
  CHECK_INT(run_pty(1, 120, cmd_query, argv), EXIT_OK);
  finish(pid);
  CHECK_HAS(out, "✓  2023-11-14");
  CHECK(!strstr(out, "\033["));
  unsetenv("NO_COLOR");

  /* console.error lines in red on a terminal, with escapes shown. */
  conn con = {
      .answer = "{\"ok\":true,\"run\":\"r\",\"backlog\":1}\n"
                "{\"event\":\"console\",\"seq\":1,\"stream\":\"err\",\"line\":"
                "\"boom \\u001b[2J\\u0000\"}\n",
      .after = AFTER_HOLD};
  char *cargv[] = {"console", "-n", "-S", sock_path, NULL};
  pid = serve(&con, 1, 0);
  CHECK_INT(run_pty(2, 80, cmd_console, cargv), EXIT_OK);
  finish(pid);
  CHECK_STR(out, "\033[31mboom \\x1b[2J\\x00\033[0m\n");
}

static void cleanup(void) {
  char p[400];
  static const char *const names[] = {"out",   "err",     "other",
                                      "w.ini", "bad.ini", "requests"};
  for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
    snprintf(p, sizeof(p), "%s/%s", tmp, names[i]);
    unlink(p);
  }
  unlink(sock_path);
  rmdir(tmp);
}

int main(void) {
  const char *base = getenv("TMPDIR");
  snprintf(tmp, sizeof(tmp), "%s/wh-cli-XXXXXX", base && *base ? base : "/tmp");
  if (strlen(tmp) > 80 || !mkdtemp(tmp)) {
    snprintf(tmp, sizeof(tmp), "/tmp/wh-cli-XXXXXX");
    if (!mkdtemp(tmp)) {
      perror("mkdtemp");
      return 99;
    }
  }
  snprintf(sock_path, sizeof(sock_path), "%s/ctl.sock", tmp);
  snprintf(req_log, sizeof(req_log), "%s/requests", tmp);
  setenv("TZ", "UTC", 1);
  tzset();
  unsetenv("NO_COLOR");
  build_query_answer();

  test_durations();
  test_formats();
  test_table_shrink();
  test_status();
  test_query_table();
  test_query_json();
  test_query_errors();
  test_hostile_answers();
  test_connect_errors();
  test_permission_denied();
  test_config();
  test_jobs();
  test_scripts_reload();
  test_console_backlog();
  test_console_follow();
  test_terminal();
  cleanup();
  return CHECK_DONE();
}
