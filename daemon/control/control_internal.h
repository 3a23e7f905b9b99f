/* What the files of the control thread share: the control object and
 * the functions they call in each other.  Everything here runs on the
 * control thread unless it says otherwise. */
#ifndef WH_CONTROL_INTERNAL_H
#define WH_CONTROL_INTERNAL_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "control/conn.h"
#include "control/console_ring.h"
#include "control/control.h"
#include "control/mailbox.h"
#include "strbuf.h"

#define CONSOLE_LINES 1000u
#define CONSOLE_BYTES (16u << 20) /* the backlog's text, at most */
#define QUERY_MAX 4u
#define QUERY_LIMIT_DEFAULT 100
#define QUERY_LIMIT_MAX 10000
#define WATCH_QUIET_MS 300
#define ACCEPT_BACKOFF_MS 100

typedef struct query_job query_job;

struct control {
  /* The options, with the strings copied. */
  char *path, *run_id;
  unsigned max_clients, timeout_ms;
  item_store *items;
  const kfl_filter_iface *kfl;
  void (*wake)(void *udata);
  void *wake_udata;
  atomic_int *stop;

  int lfd;              /* the listening socket; -1: none */
  dev_t sock_dev;       /* the socket file made, so that only it is */
  ino_t sock_ino;       /* removed at the end */
  int spare;            /* given up to refuse a client when fds run out */
  int64_t accept_after; /* accepting paused until then (fds ran out) */
  int64_t fds_warned;   /* when that was last logged */
  int sigfd;
  int ifd;           /* inotify; -1: no watch */
  int64_t watch_due; /* when to post the reload; 0: nothing changed */

  mailbox mb;
  console_ring *ring;
  atomic_bool console_new; /* appended since the thread last looked */
  atomic_uint subscribers; /* console subscribers */
  strbuf scratch;          /* one console line being put together */

  conn **conns;
  size_t nconns;
  uint64_t next_id;
  atomic_uint nclients;

  query_job *jobs; /* running or finished, not yet joined */
  atomic_uint nqueries;

  atomic_bool stopping;
  pthread_t thread;
};

int64_t ctl_now_ms(void);  /* monotonic */
int64_t ctl_wall_ms(void); /* Unix time */

/* Answer lines (any thread): line is stolen, the "id" of req (borrowed,
 * may be NULL) is put first.  NULL when memory runs out. */
ctl_line *ctl_line_make(uint64_t client, const json_t *req, json_t *line);
/* Queues l (freed) on k, counting the request answered when it is the
 * final line; a client whose output would pass its cap is closed. */
void ctl_deliver(control *c, conn *k, ctl_line *l, int64_t now);
void ctl_answer(control *c, conn *k, const json_t *req, json_t *line,
                int64_t now);
void ctl_answer_error(control *c, conn *k, const json_t *req, int64_t now,
                      const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
conn *ctl_find(control *c, uint64_t id);
/* Drops what k still had to send and closes it at the next turn. */
void ctl_kill(conn *k);

/* dispatch.c: one request line; the request for the script thread. */
void dispatch_line(void *ctx, conn *k, const char *line, size_t len);
void dispatch_post(control *c, conn *k, ctl_kind kind, json_t *req,
                   int64_t now);
void dispatch_reload(control *c, const char *why);

/* subscribe.c: console subscription and feeding the subscribers. */
void console_subscribe(control *c, conn *k, json_t *req, int64_t now);
void console_pump(control *c, conn *k, int64_t now);
void console_unsubscribe(control *c, conn *k);

/* query_worker.c */
void query_start(control *c, conn *k, json_t *req, int64_t now);
void query_collect(control *c, int64_t now); /* finished ones */
void query_join_all(control *c);

/* server.c: the socket and the thread. */
int server_open(control *c, const char *path, const char *group, char *err,
                size_t errcap);
void server_remove(control *c);
void *control_thread(void *arg);

/* signals.c / watch.c: descriptors the thread polls. */
int signals_open(char *err, size_t errcap);
void signals_read(control *c);
int watch_open(char *const *dirs, size_t n);
bool watch_read(int ifd); /* true: a *.js name changed */

#endif
