/* The script thread's side of the control socket: it takes the requests
 * the control thread queued (status, jobs, scripts, a query's matches)
 * and answers them between two items. */
#ifndef WH_SERVE_H
#define WH_SERVE_H

#include <stddef.h>
#include <time.h>

typedef struct json_t json_t;
typedef struct control control;
typedef struct vm vm;
typedef struct wh_config wh_config;
typedef struct item_store item_store;

typedef struct serve_ctx {
  control *ctl;
  vm *vm;         /* may be NULL: no scripts */
  wh_config *cfg; /* a reload swaps in the scripts and env read again */
  /* What a reload reads again: the -c file (NULL: the default files) and
   * the scripts given with -s. */
  const char *config_path;
  char *const *extra_scripts;
  size_t n_extra_scripts;
  item_store *items; /* may be NULL */
  time_t started;
  const char *run_id;
  /* Fills status.capture (and storage.pcaps) for the status answer; NULL
   * when not capturing. */
  void (*capture_status)(void *udata, json_t *status);
  void *capture_udata;
} serve_ctx;

/* Answers every queued request; returns how many were handled. */
size_t serve_requests(const serve_ctx *sc);

/* Parts of the answers, one file each. */
json_t *serve_status(const serve_ctx *sc);
json_t *serve_jobs(vm *v, const json_t *req, char *err, size_t errcap);
json_t *serve_scripts(const serve_ctx *sc, const json_t *req, char *err,
                      size_t errcap);

#endif
