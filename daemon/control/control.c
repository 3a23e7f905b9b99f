/* The public face of the control thread (control.h): start and stop,
 * and the calls the other threads make. */
#include "config.h"

#include "control/control_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int64_t ctl_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t ctl_wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void release(control *c) {
  if (c->lfd >= 0) {
    close(c->lfd);
    server_remove(c);
  }
  if (c->spare >= 0)
    close(c->spare);
  if (c->sigfd >= 0)
    close(c->sigfd);
  if (c->ifd >= 0)
    close(c->ifd);
  console_ring_free(c->ring);
  mailbox_destroy(&c->mb);
  sb_free(&c->scratch);
  free(c->conns);
  free(c->path);
  free(c->run_id);
  free(c);
}

static int copy_opts(control *c, const control_opts *o) {
  c->max_clients = o->max_clients ? o->max_clients : 64;
  c->timeout_ms = o->timeout_ms ? o->timeout_ms : 30000;
  c->items = o->items;
  c->kfl = o->kfl;
  c->wake = o->wake;
  c->wake_udata = o->wake_udata;
  c->stop = o->stop;
  c->path = strdup(o->socket_path ? o->socket_path : "");
  c->run_id = strdup(o->run_id ? o->run_id : "");
  c->conns = calloc(c->max_clients, sizeof(conn *));
  return c->path && c->run_id && c->conns ? 0 : -1;
}

control *control_start(const control_opts *o, char *err, size_t errcap) {
  control *c = calloc(1, sizeof(*c));
  if (!c) {
    snprintf(err, errcap, "control: out of memory");
    return NULL;
  }
  c->lfd = c->spare = c->sigfd = c->ifd = -1;
  c->next_id = 1;
  if (mailbox_init(&c->mb, err, errcap) < 0) {
    free(c);
    return NULL;
  }
  c->ring = console_ring_new(CONSOLE_LINES, CONSOLE_BYTES);
  if (copy_opts(c, o) < 0 || !c->ring) {
    snprintf(err, errcap, "control: out of memory");
    goto fail;
  }
  if ((c->sigfd = signals_open(err, errcap)) < 0)
    goto fail;
  if (c->path[0] && server_open(c, c->path, o->group, err, errcap) < 0)
    goto fail;
  c->ifd = watch_open(o->watch_dirs, o->n_watch_dirs);
  c->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int rc = pthread_create(&c->thread, NULL, control_thread, c);
  if (rc != 0) {
    snprintf(err, errcap, "control: cannot start its thread: %s", strerror(rc));
    goto fail;
  }
  return c;
fail:
  release(c);
  return NULL;
}

void control_stop(control *c) {
  if (!c)
    return;
  atomic_store(&c->stopping, true);
  mailbox_wake(&c->mb);
  pthread_join(c->thread, NULL);
  release(c);
}

bool control_next(control *c, ctl_request *out) {
  return c && mailbox_take(&c->mb, out);
}

void ctl_request_free(ctl_request *r) {
  if (!r)
    return;
  json_decref(r->req);
  json_decref(r->items);
  r->req = r->items = NULL;
}

void control_reply(control *c, uint64_t client, const json_t *req,
                   json_t *line) {
  if (!c || client == 0) {
    json_decref(line);
    return;
  }
  ctl_line *l = ctl_line_make(client, req, line);
  if (l)
    mailbox_put_line(&c->mb, l);
}

static json_t *error_line(const char *fmt, va_list ap) {
  char msg[1024];
  int n = vsnprintf(msg, sizeof(msg), fmt, ap);
  if (n >= (int)sizeof(msg)) { /* cut: never inside a character */
    size_t len = sizeof(msg) - 1;
    while (len && ((unsigned char)msg[len - 1] & 0xC0) == 0x80)
      len--;
    if (len && (unsigned char)msg[len - 1] >= 0xC0)
      len--;
    msg[len] = '\0';
  }
  json_t *line = json_pack("{s:b, s:s}", "ok", 0, "error", msg);
  if (!line) { /* it quoted bad UTF-8 from a request */
    for (char *p = msg; *p; p++)
      if ((unsigned char)*p >= 0x80)
        *p = '?';
    line = json_pack("{s:b, s:s}", "ok", 0, "error", msg);
  }
  return line;
}

void control_reply_error(control *c, uint64_t client, const json_t *req,
                         const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  json_t *line = error_line(fmt, ap);
  va_end(ap);
  control_reply(c, client, req, line);
}

void ctl_answer_error(control *c, conn *k, const json_t *req, int64_t now,
                      const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  json_t *line = error_line(fmt, ap);
  va_end(ap);
  ctl_answer(c, k, req, line, now);
}

void control_console(void *vc, bool is_error, const char *line, size_t len) {
  control *c = vc;
  if (!c || !line)
    return;
  console_ring_append(c->ring, is_error, line, len, ctl_wall_ms());
  /* Wake the thread once per batch, and only when someone listens. */
  if (atomic_load(&c->subscribers) && !atomic_exchange(&c->console_new, true))
    mailbox_wake(&c->mb);
}

unsigned control_clients(const control *c) {
  return c ? atomic_load(&c->nclients) : 0;
}

unsigned control_queries(const control *c) {
  return c ? atomic_load(&c->nqueries) : 0;
}
