#include "config.h"

#include "cli_control.h"
#include "cli_control_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "control/client.h"

/* A session ended in a way worth reconnecting after. */
#define RETRY (-1)

static volatile sig_atomic_t console_stop;

static void on_stop(int sig) {
  console_stop = sig;
}

typedef struct console {
  const ctl_opts *o;
  const char *path;
  ctl_client c;
  char *run;      /* the daemon run the lines came from */
  uint64_t after; /* seq of the last line printed, when have_after */
  bool have_after;
  bool check_gap; /* first line after a reconnect: say if lines were lost */
  bool outage;    /* "lost" or "waiting" said; say when it is over */
  bool red;       /* stderr lines in red */
  bool tty_out, tty_err;
  uint64_t backlog, seen; /* --no-follow: lines to print, printed */
} console;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("wirehook console: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputs("\n", stderr);
  va_end(ap);
}

static void print_line(const console *s, const json_t *ev) {
  bool err = !strcmp(jstr(ev, "stream", "out"), "err");
  const json_t *line = json_object_get(ev, "line");
  const char *text = json_string_value(line);
  size_t n = json_string_length(line);
  FILE *f = err ? stderr : stdout;
  /* Script output may carry bytes from the wire: on a terminal, keep them
   * from acting as control sequences. */
  char *clean = (err ? s->tty_err : s->tty_out)
                    ? fmt_clean_n(text ? text : "", n, true)
                    : NULL;
  if (clean) {
    text = clean;
    n = strlen(clean);
  }
  if (err && s->red)
    fputs("\033[31m", f);
  if (text)
    fwrite(text, 1, n, f);
  fputs(err && s->red ? "\033[0m\n" : "\n", f);
  fflush(f);
  free(clean);
}

static void handle_event(console *s, const json_t *ev) {
  const json_t *dropped = json_object_get(ev, "dropped");
  const json_t *seq = json_object_get(ev, "seq");
  if (dropped) {
    if (s->o->json)
      ctl_print_json(ev);
    else
      say("%" PRIu64 " lines dropped (the console could not keep up)",
          juint_of(dropped));
    return;
  }
  if (!json_object_get(ev, "line"))
    return;
  s->seen++;
  if (json_is_integer(seq)) {
    uint64_t n = juint_of(seq);
    if (s->have_after && n <= s->after)
      return; /* printed before the reconnect */
    if (s->check_gap && s->have_after && n > s->after + 1)
      say("%" PRIu64 " lines missed while disconnected", n - s->after - 1);
    s->after = n;
    s->have_after = true;
  }
  s->check_gap = false;
  if (s->o->json)
    ctl_print_json(ev);
  else
    print_line(s, ev);
}

static json_t *console_request(const console *s) {
  json_t *req = json_pack("{s:s}", "cmd", "console");
  if (req && s->run && s->have_after) {
    json_object_set_new(req, "run", json_string(s->run));
    json_object_set_new(req, "after", json_integer((json_int_t)s->after));
  }
  return req;
}

/* The connection failed or broke: RETRY when following, else the exit
 * code after saying why. */
static int lost(console *s, int rc) {
  bool follow = !s->o->no_follow;
  if (rc == CTL_STOPPED)
    return EXIT_OK;
  if (follow && rc != CTL_BAD) {
    if (!s->outage)
      say("connection to %s lost; reconnecting", s->path);
    s->outage = true;
    return RETRY;
  }
  if (rc == CTL_TIMEOUT)
    say("no answer from %s within %s; the daemon is busy or stuck (see "
        "its log)",
        s->path, ctl_timeout_text());
  else if (rc == CTL_EOF)
    say("%s closed the connection after %" PRIu64 " of %" PRIu64 " lines",
        s->path, s->seen, s->backlog);
  else
    say("%s", s->c.err);
  return EXIT_RUNTIME;
}

/* The first line: ok, run and backlog.  -1 to go on, else as lost(). */
static int subscribed(console *s, json_t *answer) {
  if (!json_is_true(json_object_get(answer, "ok"))) {
    char *err = fmt_clean(jstr(answer, "error", "refused"), false);
    fprintf(stderr, "wirehook console: %s\n", err ? err : "refused");
    free(err);
    return EXIT_RUNTIME;
  }
  const char *run = jstr(answer, "run", "");
  if (s->run && strcmp(s->run, run) != 0)
    s->have_after = false; /* a new daemon: its seq starts again */
  free(s->run);
  s->run = strdup(run);
  s->backlog = juint(answer, "backlog");
  s->seen = 0;
  if (s->outage)
    say("reconnected to %s", s->path);
  s->check_gap = s->outage && s->have_after;
  s->outage = false;
  return -1;
}

/* Reads the answer and then console lines until the end. */
static int follow_lines(console *s) {
  json_t *line;
  int timeout = (int)ctl_timeout_ms;
  int rc = ctl_client_read(&s->c, timeout, &line);
  if (rc != CTL_LINE)
    return lost(s, rc);
  rc = subscribed(s, line);
  json_decref(line);
  if (rc >= 0)
    return rc;
  for (;;) {
    if (s->o->no_follow && s->seen >= s->backlog)
      return EXIT_OK;
    rc = ctl_client_read(&s->c, s->o->no_follow ? timeout : -1, &line);
    if (rc != CTL_LINE)
      return lost(s, rc);
    if (!strcmp(jstr(line, "event", ""), "console"))
      handle_event(s, line);
    json_decref(line);
  }
}

static bool daemon_absent(int err) {
  return err == -ENOENT || err == -ECONNREFUSED || err == -EAGAIN;
}

/* One connection.  RETRY, or the exit code. */
static int session(console *s) {
  int err = ctl_client_connect(&s->c, s->path);
  if (err < 0) {
    if (s->o->no_follow || !daemon_absent(err)) {
      fprintf(stderr, "wirehook: %s\n", s->c.err);
      return EXIT_RUNTIME;
    }
    if (!s->outage)
      say("daemon at %s not running; waiting", s->path);
    s->outage = true;
    return RETRY;
  }
  json_t *req = console_request(s);
  int rc = req && ctl_client_send(&s->c, req) == 0 ? follow_lines(s)
                                                   : lost(s, CTL_ERROR);
  json_decref(req);
  ctl_client_close(&s->c);
  return rc;
}

/* Sleeps ms, or less when a stop signal comes. */
static void pause_ms(unsigned ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (!console_stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
    ;
}

static int console_loop(console *s) {
  for (;;) {
    if (console_stop)
      return EXIT_OK;
    int rc = session(s);
    if (rc != RETRY)
      return rc;
    pause_ms(ctl_retry_ms);
  }
}

int cmd_console(int argc, char **argv) {
  ctl_opts o = {.name = "console", .usage = usage_console};
  console s = {.o = &o};
  char *path = NULL;
  int rc = ctl_parse(argc, argv, 0, OPT_JSON | OPT_NO_FOLLOW, &o);
  if (rc >= 0)
    return rc;
  if (o.n_args)
    return ctl_usage_error(o.usage, "console: unexpected argument %s",
                           o.args[0]);
  if ((rc = ctl_socket_path(&o, &path)) >= 0)
    return rc;
  s.path = path;
  s.red = fmt_color(STDERR_FILENO);
  s.tty_out = isatty(STDOUT_FILENO);
  s.tty_err = isatty(STDERR_FILENO);
  ctl_client_init(&s.c);
  s.c.max_line = ctl_max_line;
  s.c.stop = &console_stop;
  /* No SA_RESTART: a signal must end the wait for the next line. */
  struct sigaction sa = {.sa_handler = on_stop}, old_int, old_term;
  sigemptyset(&sa.sa_mask);
  console_stop = 0;
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  rc = console_loop(&s);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  ctl_client_close(&s.c);
  free(s.run);
  free(path);
  return rc;
}
