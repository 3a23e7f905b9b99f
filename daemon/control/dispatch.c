/* Request lines: parsed, checked, and handled here (console), by a query
 * worker (query), or by the script thread (status, jobs, scripts). */
#include "config.h"

#include "control/control_internal.h"

#include <jansson.h>
#include <string.h>

#include "log.h"

#define COMMANDS "commands: console, query, jobs, scripts, status"
#define ECHO_MAX 64 /* bytes of an unknown command repeated in the error */

/* Bytes of s to echo: at most ECHO_MAX, never half a character. */
static int echo_len(const char *s) {
  size_t n = strlen(s);
  if (n <= ECHO_MAX)
    return (int)n;
  n = ECHO_MAX;
  while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
    n--;
  return (int)n;
}

void dispatch_post(control *c, conn *k, ctl_kind kind, json_t *req,
                   int64_t now) {
  ctl_request r = {kind, k ? k->id : 0, req, NULL, 0};
  if (mailbox_post(&c->mb, &r) < 0) {
    if (k)
      ctl_answer_error(c, k, req, now,
                       "the script thread is busy (%u requests waiting); "
                       "retry later",
                       MAILBOX_MAX);
    else
      log_warn("control: the script thread is busy; a reload request was "
               "dropped");
    json_decref(req);
    return;
  }
  if (c->wake)
    c->wake(c->wake_udata);
}

void dispatch_reload(control *c, const char *why) {
  json_t *req = json_pack("{s:s, s:s}", "cmd", "scripts", "action", "reload");
  if (!req)
    return;
  log_info("control: reloading the scripts (%s)", why);
  dispatch_post(c, NULL, CTL_SCRIPTS, req, 0);
}

/* The commands the script thread answers. */
static bool script_kind(const char *cmd, ctl_kind *kind) {
  static const struct {
    const char *cmd;
    ctl_kind kind;
  } map[] = {
      {"status", CTL_STATUS}, {"jobs", CTL_JOBS}, {"scripts", CTL_SCRIPTS}};
  for (size_t i = 0; cmd && i < sizeof(map) / sizeof(map[0]); i++)
    if (strcmp(cmd, map[i].cmd) == 0) {
      *kind = map[i].kind;
      return true;
    }
  return false;
}

/* Takes req: the script thread or a query worker may own it next, so
 * this thread lets go of it at once. */
static void by_command(control *c, conn *k, json_t *req, int64_t now) {
  const char *cmd = json_string_value(json_object_get(req, "cmd"));
  ctl_kind kind;
  if (script_kind(cmd, &kind)) {
    dispatch_post(c, k, kind, req, now);
    return;
  }
  if (cmd && strcmp(cmd, "query") == 0) {
    query_start(c, k, req, now);
    return;
  }
  if (!cmd)
    ctl_answer_error(c, k, req, now,
                     "the request has no \"cmd\" string; " COMMANDS);
  else if (strcmp(cmd, "console") == 0)
    console_subscribe(c, k, req, now);
  else
    ctl_answer_error(c, k, req, now, "unknown command \"%.*s\"; " COMMANDS,
                     echo_len(cmd), cmd);
  json_decref(req);
}

void dispatch_line(void *ctx, conn *k, const char *line, size_t len) {
  control *c = ctx;
  int64_t now = ctl_now_ms();
  json_error_t je;
  k->pending++; /* every line gets one final answer */
  json_t *req = json_loadb(line, len, 0, &je);
  if (!req) {
    ctl_answer_error(c, k, NULL, now,
                     "the request is not a JSON object (column %d: %s); "
                     "send one object a line, e.g. {\"cmd\":\"status\"}",
                     je.column, je.text);
    return;
  }
  if (!json_is_object(req)) {
    ctl_answer_error(c, k, NULL, now,
                     "the request is not a JSON object; send one object a "
                     "line, e.g. {\"cmd\":\"status\"}");
    json_decref(req);
    return;
  }
  if (k->pending > CONN_PENDING_MAX) {
    ctl_answer_error(c, k, req, now,
                     "too many requests waiting for answers (%u); wait for "
                     "some before sending more",
                     CONN_PENDING_MAX);
    json_decref(req);
    return;
  }
  by_command(c, k, req, now);
}
