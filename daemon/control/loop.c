/* The control thread: one poll over the wake-up eventfd, the signals,
 * the watched directories, the listening socket and every client.  It
 * never blocks on a client: all sockets are non-blocking, and a client
 * that does not keep up is capped, then closed. */
#include "config.h"

#include "control/control_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

#define ACCEPT_BATCH 64 /* per turn, so clients are served meanwhile */
#define FIXED_FDS 4     /* eventfd, signalfd, inotify, listener */

/* Best effort: the client may not even read it. */
static void refuse(int fd, const char *why) {
  char line[256];
  int n =
      snprintf(line, sizeof(line), "{\"ok\":false,\"error\":\"%s\"}\n", why);
  ssize_t w = send(fd, line, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
  (void)w;
  close(fd);
}

/* Out of descriptors: the spare one is given up to take the waiting
 * client and refuse it, and accepting pauses, so the loop cannot spin
 * on a listener that stays readable. */
static void out_of_fds(control *c, int64_t now) {
  if (c->spare >= 0) {
    close(c->spare);
    int fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0)
      refuse(fd, "the daemon has no file descriptors left; retry later");
    c->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
  c->accept_after = now + ACCEPT_BACKOFF_MS;
  if (now - c->fds_warned >= 10000) {
    log_warn("control: out of file descriptors; new clients are refused "
             "(raise LimitNOFILE or lower [control] max_clients)");
    c->fds_warned = now;
  }
}

static void add_client(control *c, int fd, int64_t now) {
  char why[96];
  if (c->nconns >= c->max_clients) {
    snprintf(why, sizeof(why), "too many clients (%u); close some and retry",
             c->max_clients);
    refuse(fd, why);
    return;
  }
  conn *k = conn_new(fd, c->next_id++, now);
  if (!k) {
    refuse(fd, "out of memory");
    return;
  }
  c->conns[c->nconns++] = k;
  atomic_store(&c->nclients, (unsigned)c->nconns);
}

static void accept_clients(control *c, int64_t now) {
  for (int i = 0; i < ACCEPT_BATCH; i++) {
    int fd = accept4(c->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      add_client(c, fd, now);
      continue;
    }
    if (errno == EINTR || errno == ECONNABORTED)
      continue;
    if (errno == EMFILE || errno == ENFILE)
      out_of_fds(c, now);
    else if (errno != EAGAIN && errno != EWOULDBLOCK) {
      log_warn("control: accept: %s", strerror(errno));
      c->accept_after = now + ACCEPT_BACKOFF_MS;
    }
    return;
  }
}

static short conn_events(const conn *k) {
  short ev = 0;
  if (!k->eof && !k->closing)
    ev |= POLLIN;
  if (conn_unsent(k))
    ev |= POLLOUT;
  return ev;
}

static nfds_t fill(control *c, struct pollfd *p, int64_t now) {
  p[0] = (struct pollfd){c->mb.efd, POLLIN, 0};
  p[1] = (struct pollfd){c->sigfd, POLLIN, 0};
  p[2] = (struct pollfd){c->ifd, POLLIN, 0};
  p[3] = (struct pollfd){now >= c->accept_after ? c->lfd : -1, POLLIN, 0};
  for (size_t i = 0; i < c->nconns; i++)
    p[FIXED_FDS + i] =
        (struct pollfd){c->conns[i]->fd, conn_events(c->conns[i]), 0};
  return (nfds_t)(FIXED_FDS + c->nconns);
}

static int64_t earlier(int64_t a, int64_t b) {
  return a < b ? a : b;
}

static int poll_timeout(control *c, int64_t now) {
  int64_t due = INT64_MAX, d;
  if (c->watch_due)
    due = c->watch_due;
  if (c->lfd >= 0 && now < c->accept_after)
    due = earlier(due, c->accept_after);
  for (size_t i = 0; i < c->nconns; i++) {
    conn_timed_out(c->conns[i], now, c->timeout_ms, &d);
    due = earlier(due, d);
  }
  if (due == INT64_MAX)
    return -1;
  return due <= now ? 0 : (int)earlier(due - now, 60000);
}

static void client_io(control *c, conn *k, short revents, int64_t now) {
  if (revents & (POLLERR | POLLHUP | POLLNVAL)) {
    ctl_kill(k); /* the peer is gone: nothing can reach it */
    return;
  }
  if (!(revents & POLLIN))
    return;
  int rc = conn_read(k, now, dispatch_line, c);
  if (rc == CONN_GONE)
    ctl_kill(k);
  else if (rc == CONN_TOO_LONG) {
    ctl_answer_error(c, k, NULL, now,
                     "request line longer than %u bytes; closing the "
                     "connection",
                     CONN_LINE_MAX);
    k->closing = true;
  }
}

static void take_lines(control *c, int64_t now) {
  ctl_line *l = mailbox_take_lines(&c->mb);
  conn *k = NULL;
  while (l) {
    ctl_line *next = l->next;
    if (!k || k->id != l->client) /* a query's lines come in a row */
      k = ctl_find(c, l->client);
    if (k)
      ctl_deliver(c, k, l, now);
    else
      free(l); /* its client left */
    l = next;
  }
}

static const char *close_reason(control *c, conn *k, int64_t now) {
  int64_t due;
  if (k->killed || (k->closing && !conn_unsent(k)))
    return "";
  if (k->eof && !k->pending && !conn_unsent(k) && !k->subscribed)
    return ""; /* said all it had to, and got every answer */
  if (!conn_timed_out(k, now, c->timeout_ms, &due) || conn_has_input(k))
    return NULL; /* (a slow loop has not read what came: not idle) */
  if (conn_unsent(k))
    return "does not read what it was sent";
  return k->in_len ? "left a request line unfinished" : "sat idle";
}

static void reap(control *c, int64_t now) {
  for (size_t i = 0; i < c->nconns;) {
    conn *k = c->conns[i];
    const char *why = close_reason(c, k, now);
    if (!why) {
      i++;
      continue;
    }
    if (*why)
      log_info("control: closing client %llu: it %s for %u ms",
               (unsigned long long)k->id, why, c->timeout_ms);
    console_unsubscribe(c, k);
    conn_free(k);
    c->conns[i] = c->conns[--c->nconns];
  }
  atomic_store(&c->nclients, (unsigned)c->nconns);
}

static void turn(control *c, struct pollfd *p, nfds_t n, int64_t now) {
  if (p[0].revents)
    mailbox_clear_wake(&c->mb);
  if (p[1].revents)
    signals_read(c);
  if (p[2].revents && watch_read(c->ifd))
    c->watch_due = now + WATCH_QUIET_MS;
  for (nfds_t i = FIXED_FDS; i < n; i++)
    client_io(c, c->conns[i - FIXED_FDS], p[i].revents, now);
  take_lines(c, now);
  query_collect(c, now);
  atomic_store(&c->console_new, false);
  for (size_t i = 0; i < c->nconns; i++) {
    console_pump(c, c->conns[i], now);
    if (conn_unsent(c->conns[i]) && conn_flush(c->conns[i], now) < 0)
      ctl_kill(c->conns[i]);
  }
  if (p[3].revents)
    accept_clients(c, now);
  reap(c, now);
  if (c->watch_due && now >= c->watch_due) {
    c->watch_due = 0;
    dispatch_reload(c, "a script changed");
  }
}

/* At the end, what is queued gets one last chance to leave. */
static void close_all(control *c, int64_t now) {
  take_lines(c, now);
  for (size_t i = 0; i < c->nconns; i++) {
    conn_flush(c->conns[i], now);
    conn_free(c->conns[i]);
  }
  c->nconns = 0;
  atomic_store(&c->nclients, 0);
  atomic_store(&c->subscribers, 0);
}

void *control_thread(void *arg) {
  control *c = arg;
  struct pollfd *p = calloc(FIXED_FDS + c->max_clients, sizeof(*p));
  if (!p) {
    log_error("control: out of memory; the control socket is not served");
    return NULL;
  }
  while (!atomic_load(&c->stopping)) {
    int64_t now = ctl_now_ms();
    nfds_t n = fill(c, p, now);
    int rc = poll(p, n, poll_timeout(c, now));
    if (rc < 0 && errno != EINTR) {
      log_error("control: poll: %s", strerror(errno));
      break;
    }
    if (rc < 0)
      continue;
    turn(c, p, n, ctl_now_ms());
  }
  query_join_all(c);
  close_all(c, ctl_now_ms());
  free(p);
  return NULL;
}
