#include "config.h"

#include "cli_control.h"
#include "cli_control_internal.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cli.h"
#include "control/client.h"

#define COMMON_HELP                                                            \
  "  -c, --config FILE   read [control] socket from this configuration\n"      \
  "                      file only\n"                                          \
  "  -S, --socket PATH   the daemon's control socket (overrides the\n"         \
  "                      configuration)\n"                                     \
  "  -h, --help          show this help\n"

const char usage_console[] =
    "usage: wirehook console [-c FILE] [-S PATH] [-n] [--json]\n"
    "\n"
    "Streams the console output of the running daemon: console.log lines\n"
    "on stdout, console.error and script errors on stderr.  The last lines\n"
    "printed before it started come first.  When the daemon goes away it\n"
    "waits and reconnects, without printing a line twice; stop it with\n"
    "Ctrl-C.\n"
    "\n"
    "  -n, --no-follow     print the lines kept by the daemon and exit\n"
    "      --json          print each event as a JSON line\n" COMMON_HELP;

const char usage_query[] =
    "usage: wirehook query KFL [--limit N] [--since DURATION] [--json]\n"
    "                      [-c FILE] [-S PATH]\n"
    "\n"
    "Prints the stored items that match the KFL query, newest first, after\n"
    "the scripts' onItemQueried hooks: a pass/fail mark, time, protocol,\n"
    "client and server, what was asked and answered, and the delay.\n"
    "\n"
    "      --limit N       at most N items (1 to 10000; default 100)\n"
    "      --since DURATION\n"
    "                      only items of the last DURATION: 90s, 5m, 2h,\n"
    "                      7d, 1h30m\n"
    "      --json          print each item as a JSON line\n" COMMON_HELP;

const char usage_jobs[] =
    "usage: wirehook jobs list|run TAG|remove TAG|start|stop|status [--json]\n"
    "                     [-c FILE] [-S PATH]\n"
    "\n"
    "The job scheduler of the running daemon: list the jobs, run one now,\n"
    "remove one, start or stop the scheduler, or show its state.\n"
    "\n"
    "      --json          print the answer as a JSON line\n" COMMON_HELP;

const char usage_status[] =
    "usage: wirehook status [--json] [-c FILE] [-S PATH]\n"
    "\n"
    "Shows the running daemon's state: version and uptime, capture\n"
    "counters and drops, per-hook statistics of each script, jobs, storage\n"
    "and control clients.\n"
    "\n"
    "      --json          print the status as a JSON line\n" COMMON_HELP;

const char usage_scripts_reload[] =
    "usage: wirehook scripts reload [--json] [-c FILE] [-S PATH]\n"
    "\n"
    "Makes the running daemon load its scripts again: a changed script\n"
    "replaces the old one only if it loads; an unchanged one keeps running\n"
    "with its state.  Prints one line per script; exit status 1 if any\n"
    "was refused (its old version keeps running).\n"
    "\n"
    "      --json          print the answer as a JSON line\n" COMMON_HELP;

unsigned ctl_timeout_ms = 30000, ctl_retry_ms = 1000;
size_t ctl_max_line = CTL_CLIENT_MAX_LINE;

void cli_control_set_limits(unsigned timeout_ms, unsigned retry_ms,
                            size_t max_line) {
  if (timeout_ms)
    ctl_timeout_ms = timeout_ms;
  if (retry_ms)
    ctl_retry_ms = retry_ms;
  if (max_line)
    ctl_max_line = max_line;
}

const char *ctl_timeout_text(void) {
  static char text[32];
  if (ctl_timeout_ms % 1000)
    snprintf(text, sizeof(text), "%u ms", ctl_timeout_ms);
  else
    snprintf(text, sizeof(text), "%u s", ctl_timeout_ms / 1000);
  return text;
}

int ctl_usage_error(const char *usage, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("wirehook: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputs("\n", stderr);
  va_end(ap);
  fputs(usage, stderr);
  return EXIT_USAGE;
}

/* Whether option c is taken by a command accepting `accepted`. */
static bool accepts(int c, unsigned accepted) {
  switch (c) {
  case 'J':
    return accepted & OPT_JSON;
  case 'n':
    return accepted & OPT_NO_FOLLOW;
  case 'L':
    return accepted & OPT_LIMIT;
  case 'T':
    return accepted & OPT_SINCE;
  default:
    return true;
  }
}

static const char *option_name(int c) {
  switch (c) {
  case 'J':
    return "--json";
  case 'n':
    return "--no-follow";
  case 'L':
    return "--limit";
  default:
    return "--since";
  }
}

static void take_option(int c, ctl_opts *o) {
  switch (c) {
  case 'c':
    o->config = optarg;
    break;
  case 'S':
    o->socket = optarg;
    break;
  case 'J':
    o->json = true;
    break;
  case 'n':
    o->no_follow = true;
    break;
  case 'L':
    o->limit = optarg;
    break;
  case 'T':
    o->since = optarg;
    break;
  }
}

int ctl_parse(int argc, char **argv, int skip, unsigned accepted, ctl_opts *o) {
  static const struct option longs[] = {
      {"config", required_argument, NULL, 'c'},
      {"socket", required_argument, NULL, 'S'},
      {"json", no_argument, NULL, 'J'},
      {"no-follow", no_argument, NULL, 'n'},
      {"limit", required_argument, NULL, 'L'},
      {"since", required_argument, NULL, 'T'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  int c;
  argc -= skip;
  argv += skip;
  optind = 0; /* 0, not 1: GNU getopt forgets a previous parse */
  opterr = 0;
  while ((c = getopt_long(argc, argv, ":c:S:nh", longs, NULL)) != -1) {
    if (c == 'h') {
      fputs(o->usage, stdout);
      return EXIT_OK;
    }
    if (c == ':')
      return ctl_usage_error(o->usage, "%s needs an argument",
                             argv[optind - 1]);
    if (c == '?') {
      char opt[3] = {'-', (char)optopt, '\0'};
      const char *arg = argv[optind - 1];
      return ctl_usage_error(o->usage, "%s: unknown option %s", o->name,
                             optopt && strncmp(arg, "--", 2) ? opt : arg);
    }
    if (!accepts(c, accepted))
      return ctl_usage_error(o->usage, "%s: %s is not accepted here", o->name,
                             option_name(c));
    take_option(c, o);
  }
  o->args = argv + optind;
  o->n_args = argc - optind;
  return -1;
}

int ctl_socket_path(const ctl_opts *o, char **path) {
  if (o->socket) {
    if (!*o->socket)
      return ctl_usage_error(o->usage, "-S needs a socket path");
    *path = strdup(o->socket);
    return *path ? -1 : EXIT_RUNTIME;
  }
  wh_config cfg;
  char err[1024];
  int rc = -1;
  cfg_init(&cfg);
  if (cfg_load(&cfg, o->config, err, sizeof(err)) < 0) {
    fprintf(stderr, "wirehook: %s (or give the socket with -S PATH)\n", err);
    rc = EXIT_USAGE;
  } else if (!cfg.control_socket || !*cfg.control_socket) {
    fprintf(stderr, "wirehook: [control] socket is empty: the daemon has no "
                    "control socket; set one, or give it with -S PATH\n");
    rc = EXIT_USAGE;
  } else if (!(*path = strdup(cfg.control_socket))) {
    rc = EXIT_RUNTIME;
  }
  cfg_free(&cfg);
  return rc;
}

void ctl_print_json(const json_t *j) {
  char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
  if (s)
    puts(s);
  free(s);
  fflush(stdout);
}

/* Reads lines up to the final one ("ok").  -1 with *answer, or an exit
 * code after printing why. */
static int read_answer(const ctl_opts *o, ctl_client *c, ctl_event_fn on_event,
                       void *udata, json_t **answer) {
  for (;;) {
    json_t *line;
    int rc = ctl_client_read(c, (int)ctl_timeout_ms, &line);
    if (rc == CTL_TIMEOUT) {
      fprintf(stderr,
              "wirehook %s: no answer from %s within %s; the daemon is "
              "busy or stuck (see its log)\n",
              o->name, c->path, ctl_timeout_text());
      return EXIT_RUNTIME;
    }
    if (rc == CTL_EOF) {
      fprintf(stderr,
              "wirehook %s: %s closed the connection before answering; see "
              "the daemon's log\n",
              o->name, c->path);
      return EXIT_RUNTIME;
    }
    if (rc != CTL_LINE) {
      fprintf(stderr, "wirehook %s: %s\n", o->name, c->err);
      return EXIT_RUNTIME;
    }
    const json_t *ok = json_object_get(line, "ok");
    if (json_is_boolean(ok)) {
      *answer = line;
      return -1;
    }
    /* Lines that are neither events nor final are for newer clients. */
    rc = json_object_get(line, "event") && on_event ? on_event(line, udata) : 0;
    json_decref(line);
    if (rc)
      return rc;
  }
}

int ctl_request(const ctl_opts *o, const json_t *req, ctl_event_fn on_event,
                void *udata, json_t **answer) {
  char *path = NULL;
  int rc = ctl_socket_path(o, &path);
  if (rc >= 0)
    return rc;
  ctl_client c;
  ctl_client_init(&c);
  c.max_line = ctl_max_line;
  if (ctl_client_connect(&c, path) < 0 || ctl_client_send(&c, req) < 0) {
    fprintf(stderr, "wirehook: %s\n", c.err);
    rc = EXIT_RUNTIME;
  } else {
    rc = read_answer(o, &c, on_event, udata, answer);
  }
  ctl_client_close(&c);
  free(path);
  if (rc < 0 && !json_is_true(json_object_get(*answer, "ok"))) {
    const char *err = jstr(*answer, "error", "the daemon refused the request");
    char *clean = fmt_clean(err, false);
    fprintf(stderr, "wirehook %s: %s\n", o->name, clean ? clean : err);
    free(clean);
    json_decref(*answer);
    *answer = NULL;
    rc = EXIT_RUNTIME;
  }
  return rc;
}

/* ---- scripts reload ---- */

static bool any_refused(const json_t *answer) {
  const json_t *s;
  size_t i;
  json_array_foreach(json_object_get(answer, "scripts"), i, s) {
    if (!strcmp(jstr(s, "status", ""), "refused"))
      return true;
  }
  return false;
}

static void print_reloaded(const json_t *answer) {
  const json_t *scripts = json_object_get(answer, "scripts");
  size_t i;
  const json_t *s;
  if (!json_array_size(scripts))
    puts("no scripts configured");
  json_array_foreach(scripts, i, s) {
    const char *status = jstr(s, "status", "?");
    const char *err = jstr(s, "error", NULL);
    char *name = fmt_clean(jstr(s, "script", "?"), false);
    char *why = err ? fmt_clean(err, false) : NULL;
    char *st = fmt_clean(status, false);
    printf("%s %s%s%s\n", st ? st : "?", name ? name : "?", why ? ": " : "",
           why ? why : "");
    free(name);
    free(why);
    free(st);
  }
  fflush(stdout);
}

int cmd_scripts_reload(int argc, char **argv) {
  ctl_opts o = {.name = "scripts reload", .usage = usage_scripts_reload};
  json_t *answer = NULL;
  int rc = ctl_parse(argc, argv, 1, OPT_JSON, &o);
  if (rc >= 0)
    return rc;
  if (o.n_args)
    return ctl_usage_error(o.usage, "scripts reload: unexpected argument %s",
                           o.args[0]);
  json_t *req = json_pack("{s:s, s:s}", "cmd", "scripts", "action", "reload");
  rc = req ? ctl_request(&o, req, NULL, NULL, &answer) : EXIT_RUNTIME;
  json_decref(req);
  if (rc >= 0)
    return rc;
  if (o.json)
    ctl_print_json(answer);
  else
    print_reloaded(answer);
  rc = any_refused(answer) ? EXIT_RUNTIME : EXIT_OK;
  json_decref(answer);
  return rc;
}
