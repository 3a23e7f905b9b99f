#include "config.h"

#include "control/client.h"

#include <errno.h>
#include <grp.h>
#include <jansson.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK 65536

void ctl_client_init(ctl_client *c) {
  memset(c, 0, sizeof(*c));
  c->fd = -1;
  c->max_line = CTL_CLIENT_MAX_LINE;
}

/* Permission denied: name the group to join when the socket can be
 * seen, else its directory is what keeps the user out. */
static void access_error(ctl_client *c, const char *path, int err) {
  struct stat st;
  if (stat(path, &st) < 0) {
    snprintf(c->err, sizeof(c->err),
             "cannot connect to %s: %s; its directory is closed to you: ask "
             "the daemon's administrator for access",
             path, strerror(err));
    return;
  }
  char gid[24];
  struct group *g = getgrgid(st.st_gid);
  snprintf(gid, sizeof(gid), "%lu", (unsigned long)st.st_gid);
  snprintf(c->err, sizeof(c->err),
           "cannot connect to %s: %s; the socket is for its owner and group "
           "%s: ask to be added to it",
           path, strerror(err), g ? g->gr_name : gid);
}

static void connect_error(ctl_client *c, const char *path, int err) {
  if (err == ENOENT || err == ECONNREFUSED)
    snprintf(c->err, sizeof(c->err),
             "cannot connect to %s: %s; is the daemon running? (wirehook run)",
             path, strerror(err));
  else if (err == EACCES || err == EPERM)
    access_error(c, path, err);
  else
    snprintf(c->err, sizeof(c->err), "cannot connect to %s: %s", path,
             strerror(err));
}

int ctl_client_connect(ctl_client *c, const char *path) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  ctl_client_close(c);
  snprintf(c->path, sizeof(c->path), "%s", path);
  if (strlen(path) >= sizeof(sa.sun_path)) {
    snprintf(c->err, sizeof(c->err),
             "socket path %s is longer than %zu bytes; use a shorter "
             "[control] socket",
             path, sizeof(sa.sun_path) - 1);
    return -ENAMETOOLONG;
  }
  memcpy(sa.sun_path, path, strlen(path) + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int e = errno;
    snprintf(c->err, sizeof(c->err), "socket: %s", strerror(e));
    return -e;
  }
  while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
    if (errno == EINTR)
      continue;
    int e = errno;
    close(fd);
    connect_error(c, path, e);
    return -e;
  }
  c->fd = fd;
  return 0;
}

static int write_all(ctl_client *c, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0) {
      snprintf(c->err, sizeof(c->err), "cannot send the request to %s: %s",
               c->path, strerror(errno));
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

int ctl_client_send(ctl_client *c, const json_t *req) {
  char *s = json_dumps(req, JSON_COMPACT);
  if (!s) {
    snprintf(c->err, sizeof(c->err),
             "cannot encode the request: out of memory");
    return -1;
  }
  size_t n = strlen(s);
  int rc = -1;
  if (n + 1 > CTL_CLIENT_MAX_REQUEST) {
    snprintf(c->err, sizeof(c->err),
             "the request is %zu bytes, more than the socket's limit of %d; "
             "shorten it",
             n + 1, CTL_CLIENT_MAX_REQUEST);
  } else {
    s[n] = '\n'; /* replaces the NUL: the line is sent with its end */
    rc = write_all(c, s, n + 1);
  }
  free(s);
  return rc;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Makes room for READ_CHUNK more bytes, dropping what was consumed. */
static int make_room(ctl_client *c) {
  if (c->start > 0) {
    memmove(c->buf, c->buf + c->start, c->len - c->start);
    c->len -= c->start;
    c->scanned -= c->start;
    c->start = 0;
  }
  if (c->cap - c->len >= READ_CHUNK)
    return 0;
  size_t cap = c->cap ? c->cap * 2 : READ_CHUNK * 2;
  if (cap < c->len + READ_CHUNK)
    cap = c->len + READ_CHUNK;
  char *b = realloc(c->buf, cap);
  if (!b) {
    snprintf(c->err, sizeof(c->err), "out of memory reading from %s", c->path);
    return -1;
  }
  c->buf = b;
  c->cap = cap;
  return 0;
}

/* Waits until the socket is readable.  1 ready, or a CTL_* result. */
static int wait_readable(ctl_client *c, int64_t deadline) {
  for (;;) {
    if (c->stop && *c->stop)
      return CTL_STOPPED;
    /* With a stop flag, wake up each second: a signal that lands just
     * before poll() would otherwise be noticed only at the next line. */
    int wait = c->stop ? 1000 : -1;
    if (deadline >= 0) {
      int64_t left = deadline - now_ms();
      if (left <= 0)
        return CTL_TIMEOUT;
      if (wait < 0 || left < wait)
        wait = left > INT32_MAX ? INT32_MAX : (int)left;
    }
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    int n = poll(&p, 1, wait);
    if (n > 0)
      return 1;
    if (n < 0 && errno != EINTR) {
      snprintf(c->err, sizeof(c->err), "poll: %s", strerror(errno));
      return CTL_ERROR;
    }
  }
}

/* Reads what is available.  1 some bytes, or a CTL_* result. */
static int fill(ctl_client *c, int64_t deadline) {
  int rc = wait_readable(c, deadline);
  if (rc != 1)
    return rc;
  if (make_room(c) < 0)
    return CTL_ERROR;
  ssize_t n;
  do
    n = read(c->fd, c->buf + c->len, c->cap - c->len);
  while (n < 0 && errno == EINTR);
  if (n < 0) {
    snprintf(c->err, sizeof(c->err), "reading from %s: %s", c->path,
             strerror(errno));
    return CTL_ERROR;
  }
  if (n == 0)
    return CTL_EOF;
  c->len += (size_t)n;
  return 1;
}

static int parse_line(ctl_client *c, const char *p, size_t n, json_t **out) {
  json_error_t je;
  /* A script may log a NUL it read off the wire; that is no reason to
   * refuse the line. */
  json_t *j = json_loadb(p, n, JSON_ALLOW_NUL, &je);
  if (!j) {
    snprintf(c->err, sizeof(c->err),
             "bad answer from %s: column %d: %s; is it a wirehook control "
             "socket?",
             c->path, je.column, je.text);
    return CTL_BAD;
  }
  if (!json_is_object(j)) {
    json_decref(j);
    snprintf(c->err, sizeof(c->err),
             "bad answer from %s: a line is not a JSON object", c->path);
    return CTL_BAD;
  }
  *out = j;
  return CTL_LINE;
}

/* The next complete line in the buffer: 1 found, 0 none yet, or
 * CTL_BAD when the line is too long. */
static int take_line(ctl_client *c, const char **line, size_t *n) {
  if (c->scanned < c->start)
    c->scanned = c->start;
  const char *nl = memchr(c->buf + c->scanned, '\n', c->len - c->scanned);
  if (!nl) {
    c->scanned = c->len;
    if (c->len - c->start > c->max_line) {
      snprintf(c->err, sizeof(c->err),
               "an answer line from %s is longer than %zu bytes; giving up",
               c->path, c->max_line);
      return CTL_BAD;
    }
    return 0;
  }
  *line = c->buf + c->start;
  *n = (size_t)(nl - *line);
  c->start += *n + 1;
  c->scanned = c->start;
  if (*n > c->max_line) {
    snprintf(c->err, sizeof(c->err),
             "an answer line from %s is longer than %zu bytes; giving up",
             c->path, c->max_line);
    return CTL_BAD;
  }
  return 1;
}

int ctl_client_read(ctl_client *c, int timeout_ms, json_t **out) {
  int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
  *out = NULL;
  if (c->fd < 0) {
    snprintf(c->err, sizeof(c->err), "not connected");
    return CTL_ERROR;
  }
  for (;;) {
    const char *line;
    size_t n;
    int rc = c->buf ? take_line(c, &line, &n) : 0;
    if (rc < 0)
      return rc;
    if (rc == 1 && n > 0)
      return parse_line(c, line, n, out);
    if (rc == 1)
      continue; /* a blank line */
    rc = fill(c, deadline);
    if (rc != 1)
      return rc;
  }
}

void ctl_client_close(ctl_client *c) {
  if (c->fd >= 0)
    close(c->fd);
  c->fd = -1;
  free(c->buf);
  c->buf = NULL;
  c->start = c->len = c->cap = c->scanned = 0;
}
