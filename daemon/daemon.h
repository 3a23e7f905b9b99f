/* `wirehook run` around the pipeline: the item store, the control thread
 * (socket, signals, script watch) and the script thread's loop, live or
 * idle (no interface: jobs and control only). */
#ifndef WH_DAEMON_H
#define WH_DAEMON_H

#include <stdatomic.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "control/serve.h"

typedef struct wh_config wh_config;
typedef struct plugin_host plugin_host;
typedef struct pipeline_opts pipeline_opts;
typedef struct queue queue;
typedef struct control control;
typedef struct item_store item_store;

typedef struct daemon_ctx {
  const wh_config *cfg;
  queue *q;
  item_store *items;
  control *ctl;
  serve_ctx serve;
  char **watch_dirs;
  size_t n_watch;
  atomic_int stop; /* the signal that asked to stop */
} daemon_ctx;

/* Opens the item store, the queue and the control socket.  Signals
 * SIGINT, SIGTERM and SIGHUP must already be blocked.  Returns -1 to go
 * on, or an exit code after printing why. */
int daemon_open(daemon_ctx *d, wh_config *cfg, plugin_host *plugins,
                const char *run_id);
/* What `scripts reload` reads again: the -c file (NULL: the default
 * files) and the -s scripts.  Returns -1 (go on). */
int daemon_reload_from(daemon_ctx *d, const char *config_path,
                       char *const *extra, size_t n_extra);
/* The vm's console sink: stdout/stderr and the control backlog. */
void daemon_console(void *udata, bool is_error, const char *line, size_t len);
/* Runs until SIGINT/SIGTERM: capture when po->cap.interface is set,
 * otherwise only jobs and control requests.  Returns an exit code. */
int daemon_loop(daemon_ctx *d, pipeline_opts *po);
void daemon_close(daemon_ctx *d);

/* Item store options from [storage]; -1 with a message naming the key.
 * *enabled is false with `items = false`. */
typedef struct item_store_opts item_store_opts;
int item_store_opts_load(const wh_config *cfg, item_store_opts *o,
                         bool *enabled, char *err, size_t errcap);

#endif
