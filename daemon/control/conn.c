#include "config.h"

#include "control/conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Output buffers up to this size stay allocated when drained, so a busy
 * client does not reallocate for every answer; bigger ones are given
 * back. */
#define OUT_KEEP (64u << 10)

conn *conn_new(int fd, uint64_t id, int64_t now) {
  conn *k = calloc(1, sizeof(*k));
  if (!k)
    return NULL;
  k->fd = fd;
  k->id = id;
  k->last_io = now;
  return k;
}

void conn_free(conn *k) {
  if (!k)
    return;
  if (k->fd >= 0)
    close(k->fd);
  free(k->in);
  free(k->out);
  free(k->sub_prefix);
  free(k);
}

static void hand_over(conn *k, size_t begin, size_t end, conn_line_fn fn,
                      void *ctx) {
  size_t len = end - begin;
  if (len && k->in[begin + len - 1] == '\r')
    len--;
  fn(ctx, k, k->in + begin, len);
}

/* Hands over every complete line and keeps the unfinished rest at the
 * front of the buffer. */
static void cut_lines(conn *k, size_t scan, int64_t now, conn_line_fn fn,
                      void *ctx) {
  size_t begin = 0;
  char *nl;
  while (!k->closing &&
         (nl = memchr(k->in + scan, '\n', k->in_len - scan)) != NULL) {
    size_t end = (size_t)(nl - k->in);
    hand_over(k, begin, end, fn, ctx);
    begin = scan = end + 1;
  }
  if (k->closing)
    begin = k->in_len; /* what follows a fatal line is not read */
  if (begin == 0)
    return;
  k->in_len -= begin;
  memmove(k->in, k->in + begin, k->in_len);
  k->in_since = now; /* the rest, if any, is a line that began now */
}

static void drop_input(conn *k) {
  free(k->in);
  k->in = NULL;
  k->in_len = 0;
}

static int at_eof(conn *k, conn_line_fn fn, void *ctx) {
  k->eof = true;
  if (k->in_len && !k->closing)
    hand_over(k, 0, k->in_len, fn, ctx);
  drop_input(k);
  return CONN_OK;
}

int conn_read(conn *k, int64_t now, conn_line_fn fn, void *ctx) {
  if (k->eof || k->closing)
    return CONN_OK;
  if (!k->in && !(k->in = malloc(CONN_LINE_MAX + 1)))
    return CONN_GONE;
  ssize_t n = recv(k->fd, k->in + k->in_len, CONN_LINE_MAX + 1 - k->in_len, 0);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
      return CONN_OK;
    return CONN_GONE;
  }
  if (n == 0)
    return at_eof(k, fn, ctx);
  k->last_io = now;
  if (k->in_len == 0)
    k->in_since = now;
  size_t scan = k->in_len;
  k->in_len += (size_t)n;
  cut_lines(k, scan, now, fn, ctx);
  if (k->in_len > CONN_LINE_MAX) {
    drop_input(k);
    return CONN_TOO_LONG;
  }
  if (k->in_len == 0)
    drop_input(k);
  return CONN_OK;
}

size_t conn_unsent(const conn *k) {
  return k->out_len - k->out_off;
}

static int make_room(conn *k, size_t len, size_t cap) {
  if (k->out_off && k->out_len + len > k->out_cap) {
    k->out_len -= k->out_off;
    memmove(k->out, k->out + k->out_off, k->out_len);
    k->out_off = 0;
  }
  size_t need = k->out_len + len;
  if (need <= k->out_cap)
    return 0;
  size_t ncap = k->out_cap ? k->out_cap * 2 : 4096;
  if (ncap > cap)
    ncap = cap; /* doubling must not carry the buffer past its cap */
  if (ncap < need)
    ncap = need;
  char *p = realloc(k->out, ncap);
  if (!p)
    return -1;
  k->out = p;
  k->out_cap = ncap;
  return 0;
}

int conn_queue(conn *k, const char *data, size_t len, size_t cap, int64_t now) {
  size_t unsent = conn_unsent(k);
  if (len > cap || unsent > cap - len)
    return -1;
  if (make_room(k, len, cap) < 0)
    return -1;
  memcpy(k->out + k->out_len, data, len);
  k->out_len += len;
  k->queued += len;
  if (unsent == 0)
    k->out_since = now;
  return 0;
}

int conn_flush(conn *k, int64_t now) {
  while (k->out_off < k->out_len) {
    ssize_t n = send(k->fd, k->out + k->out_off, k->out_len - k->out_off,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        break;
      return -1;
    }
    k->out_off += (size_t)n;
    k->sent += (uint64_t)n;
    k->out_since = k->last_io = now;
  }
  if (k->out_off < k->out_len)
    return 0;
  k->out_off = k->out_len = 0;
  if (k->out_cap > OUT_KEEP) {
    free(k->out);
    k->out = NULL;
    k->out_cap = 0;
  }
  return 0;
}

bool conn_timed_out(const conn *k, int64_t now, unsigned timeout_ms,
                    int64_t *due) {
  int64_t d = INT64_MAX;
  if (k->in_len && !k->eof)
    d = k->in_since + timeout_ms;
  if (conn_unsent(k) && k->out_since + (int64_t)timeout_ms < d)
    d = k->out_since + timeout_ms;
  /* A client with nothing to say or wait for must not hold one of the
   * max_clients places for ever. */
  if (!k->in_len && !conn_unsent(k) && !k->pending && !k->subscribed && !k->eof)
    d = k->last_io + timeout_ms;
  *due = d;
  return now >= d;
}

bool conn_has_input(const conn *k) {
  char byte;
  return !k->eof && recv(k->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}
