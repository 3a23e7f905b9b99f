/* The client end of the control socket (doc/control.md): connect, send
 * one request line, read answer lines.  The daemon's lines are input like
 * any other: each is bounded in length, must be a JSON object, and must
 * come within the caller's timeout. */
#ifndef WH_CONTROL_CLIENT_H
#define WH_CONTROL_CLIENT_H

#include <signal.h>
#include <stddef.h>

typedef struct json_t json_t;

/* A request line may be at most this long (the daemon's limit). */
#define CTL_CLIENT_MAX_REQUEST 65536
/* Default bound of one answer line: a query answer may be this large. */
#define CTL_CLIENT_MAX_LINE ((size_t)64 << 20)

typedef struct ctl_client {
  int fd;
  char path[256];
  size_t max_line; /* longest answer line accepted */
  /* When set, a signal that interrupts a wait returns CTL_STOPPED once
   * *stop is non-zero. */
  volatile sig_atomic_t *stop;
  char *buf; /* unread bytes are buf[start..len) */
  size_t start, len, cap, scanned;
  char err[1024]; /* the last failure, one line without "wirehook: " */
} ctl_client;

/* Results of ctl_client_read. */
enum {
  CTL_LINE = 1,     /* *out holds a JSON object */
  CTL_EOF = 0,      /* the daemon closed the connection */
  CTL_ERROR = -1,   /* the connection failed; err says how */
  CTL_TIMEOUT = -2, /* nothing complete within the timeout */
  CTL_STOPPED = -3, /* *stop became non-zero */
  CTL_BAD = -4      /* the daemon sent garbage (err): not worth a retry */
};

/* Sets c up (no connection yet) with the default line bound. */
void ctl_client_init(ctl_client *c);

/* Connects to the socket at path.  Returns 0, or -errno with a one-line
 * message in c->err that says what to do (daemon not running, not in the
 * socket's group, path too long). */
int ctl_client_connect(ctl_client *c, const char *path);

/* Sends req as one compact line.  Returns 0 or -1 (c->err). */
int ctl_client_send(ctl_client *c, const json_t *req);

/* Reads the next line, waiting at most timeout_ms (< 0: for ever) for it
 * to be complete.  Blank lines are skipped. */
int ctl_client_read(ctl_client *c, int timeout_ms, json_t **out);

/* Closes the connection and frees the buffer; c can connect again. */
void ctl_client_close(ctl_client *c);

#endif
