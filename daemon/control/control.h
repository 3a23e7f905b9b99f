/* The control thread (doc/control.md): the Unix socket, its clients, the
 * console backlog and the query workers.  Requests that need the script
 * thread are handed over through a mailbox; the script thread answers
 * with control_reply().
 *
 * Thread use: control_start/control_stop on the main thread; control_next,
 * control_console and control_reply from any thread (they lock). */
#ifndef WH_CONTROL_H
#define WH_CONTROL_H

#include <stdatomic.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct json_t json_t;
typedef struct control control;
typedef struct item_store item_store;
typedef struct kfl_filter_iface kfl_filter_iface;

typedef struct control_opts {
  const char *socket_path; /* NULL or "": no socket (signals still handled) */
  const char *group;       /* chgrp the socket to it; NULL: leave */
  unsigned max_clients;    /* 0 = 64 */
  unsigned timeout_ms;     /* 0 = 30000 */
  const char *run_id;      /* this run, for console reconnects */
  /* Query support; NULL when the store or the kfl plugin is missing (a
   * query then answers an error saying which). */
  item_store *items;
  const kfl_filter_iface *kfl;
  /* Directories to watch for changed *.js files ([scripting] watch);
   * a change (after 300 ms of quiet) posts a reload request as client 0. */
  char *const *watch_dirs;
  size_t n_watch_dirs;
  /* Called (from the control thread) after a request was queued for the
   * script thread or a stop was asked, to wake it. */
  void (*wake)(void *udata);
  void *wake_udata;
  /* SIGINT/SIGTERM set *stop to the signal number (signals must be
   * blocked in every thread before control_start; the control thread
   * reads them with a signalfd).  SIGHUP posts a reload request. */
  atomic_int *stop;
} control_opts;

/* Creates the socket (its directory too, mode 0755, if missing) and
 * starts the thread.  NULL with a one-line message in err when the socket
 * cannot be made, or another daemon answers on it. */
control *control_start(const control_opts *o, char *err, size_t errcap);
/* Stops the thread, closes every client and removes the socket. */
void control_stop(control *c);

/* What the script thread is asked to do. */
typedef enum ctl_kind {
  CTL_STATUS,  /* {"cmd":"status"} */
  CTL_JOBS,    /* {"cmd":"jobs",...} */
  CTL_SCRIPTS, /* {"cmd":"scripts",...}; client 0: from SIGHUP or watch */
  CTL_QUERIED  /* a query's matches: run onItemQueried and answer */
} ctl_kind;

typedef struct ctl_request {
  ctl_kind kind;
  uint64_t client; /* 0: internal (SIGHUP, watch); answers are dropped */
  json_t *req;     /* the request object (owned) */
  json_t *items;   /* CTL_QUERIED: array of matched items, newest first
                    * (owned); NULL otherwise */
  uint64_t scanned; /* CTL_QUERIED: items read from the store */
} ctl_request;

/* Takes the next request for the script thread, without waiting.  False
 * when there is none. */
bool control_next(control *c, ctl_request *out);
void ctl_request_free(ctl_request *r);

/* Sends one line to a client: `line` (stolen) gets the request's "id"
 * copied from `req` (borrowed, may be NULL).  A client that is gone, or
 * client 0, drops it. */
void control_reply(control *c, uint64_t client, const json_t *req,
                   json_t *line);
/* Shorthand for {"ok":false,"error":msg}. */
void control_reply_error(control *c, uint64_t client, const json_t *req,
                         const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A console line (vm_console_sink shape): kept in the backlog and sent to
 * every console subscriber. */
void control_console(void *c, bool is_error, const char *line, size_t len);

/* Counters for status. */
unsigned control_clients(const control *c);
unsigned control_queries(const control *c);

#endif
