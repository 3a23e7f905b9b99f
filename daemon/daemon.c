#include "config.h"

#include "daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "capture/options.h"
#include "cfg.h"
#include "cli.h"
#include "control/control.h"
#include "kfl_service.h"
#include "log.h"
#include "pipeline.h"
#include "plugin.h"
#include "queue.h"
#include "script_loop.h"
#include "store/item_store.h"
#include "vm.h"

static int size_key(const wh_config *cfg, const char *key, uint64_t *out,
                    char *err, size_t errcap) {
  const char *v = cfg_list_value(&cfg->storage, key);
  if (v && parse_size(v, out) < 0) {
    snprintf(err, errcap, "[storage] %s: \"%s\" is not a size (e.g. 512M, 2G)",
             key, v);
    return -1;
  }
  return 0;
}

int item_store_opts_load(const wh_config *cfg, item_store_opts *o,
                         bool *enabled, char *err, size_t errcap) {
  *o = (item_store_opts){0};
  const char *v = cfg_list_value(&cfg->storage, "items");
  *enabled = !v || strcmp(v, "false") != 0;
  if (v && strcmp(v, "true") && strcmp(v, "false")) {
    snprintf(err, errcap, "[storage] items: \"%s\" is not true or false", v);
    return -1;
  }
  uint64_t age_ms = 0;
  /* The PCAP limits apply to items too unless items_* say otherwise. */
  const char *age = cfg_list_value(&cfg->storage, "items_max_age");
  const char *age_key = age ? "items_max_age" : "max_age";
  if (!age)
    age = cfg_list_value(&cfg->storage, "max_age");
  if (age && parse_duration_ms(age, &age_ms) < 0) {
    snprintf(err, errcap, "[storage] %s: \"%s\" is not a duration (e.g. 7d)",
             age_key, age);
    return -1;
  }
  o->max_age_s = age_ms / 1000;
  const char *size_k = cfg_list_value(&cfg->storage, "items_max_size")
                           ? "items_max_size"
                           : "max_size";
  if (size_key(cfg, size_k, &o->max_size, err, errcap) < 0 ||
      size_key(cfg, "items_segment_size", &o->segment_size, err, errcap) < 0)
    return -1;
  return 0;
}

static int uint_key(const wh_config *cfg, const char *key, unsigned *out,
                    unsigned max, char *err, size_t errcap) {
  const char *v = cfg_list_value(&cfg->control_extra, key);
  if (!v)
    return 0;
  char *end;
  errno = 0;
  unsigned long n = strtoul(v, &end, 10);
  if (errno || end == v || *end || n < 1 || n > max) {
    snprintf(err, errcap, "[control] %s: \"%s\" is not a number from 1 to %u",
             key, v, max);
    return -1;
  }
  *out = (unsigned)n;
  return 0;
}

/* [scripting] watch: the directories of the script paths. */
static void watch_dirs(daemon_ctx *d) {
  const wh_config *cfg = d->cfg;
  if (!cfg->watch || !cfg->n_scripts)
    return;
  d->watch_dirs = calloc(cfg->n_scripts, sizeof(char *));
  for (size_t i = 0; d->watch_dirs && i < cfg->n_scripts; i++) {
    const char *p = cfg->scripts[i];
    struct stat st;
    char *dir = NULL;
    if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
      dir = strdup(p);
    } else {
      const char *slash = strrchr(p, '/');
      dir =
          slash ? strndup(p, (size_t)(slash - p + (slash == p))) : strdup(".");
    }
    if (dir)
      d->watch_dirs[d->n_watch++] = dir;
  }
}

static const kfl_filter_iface *kfl_service(plugin_host *plugins) {
  size_t size = 0;
  const kfl_filter_iface *k =
      plugins ? plugin_host_service(plugins, KFL_FILTER_SERVICE, &size) : NULL;
  if (k && size < sizeof(*k)) {
    log_warn("the kfl plugin's filter service is older than this daemon; "
             "queries are disabled until it is updated");
    return NULL;
  }
  return k;
}

static void wake(void *udata) {
  queue_wake(udata);
}

static int open_items(daemon_ctx *d, char *err, size_t errcap) {
  item_store_opts io;
  bool enabled;
  if (item_store_opts_load(d->cfg, &io, &enabled, err, errcap) < 0)
    return -1;
  if (enabled && !(d->items = item_store_open(&io, err, errcap)))
    return -1;
  return 0;
}

int daemon_open(daemon_ctx *d, wh_config *cfg, plugin_host *plugins,
                const char *run_id) {
  char err[1024] = "";
  capture_opts cap;
  *d = (daemon_ctx){.cfg = cfg};
  control_opts co = {.socket_path = cfg->control_socket,
                     .group = cfg->control_group,
                     .run_id = run_id,
                     .kfl = kfl_service(plugins),
                     .wake = wake,
                     .stop = &d->stop};
  if (capture_opts_load(&cap, cfg, err, sizeof(err)) < 0 ||
      uint_key(cfg, "max_clients", &co.max_clients, 4096, err, sizeof(err)) <
          0 ||
      uint_key(cfg, "timeout_ms", &co.timeout_ms, 3600000, err, sizeof(err)) <
          0 ||
      open_items(d, err, sizeof(err)) < 0) {
    fprintf(stderr, "wirehook: %s\n", err);
    return EXIT_USAGE;
  }
  if (!(d->q = queue_new(cap.queue_size))) {
    log_error("out of memory");
    return EXIT_RUNTIME;
  }
  watch_dirs(d);
  co.items = d->items;
  co.wake_udata = d->q;
  co.watch_dirs = d->watch_dirs;
  co.n_watch_dirs = d->n_watch;
  if (!(d->ctl = control_start(&co, err, sizeof(err)))) {
    fprintf(stderr, "wirehook: %s\n", err);
    return EXIT_USAGE;
  }
  d->serve = (serve_ctx){.ctl = d->ctl,
                         .cfg = cfg,
                         .items = d->items,
                         .started = time(NULL),
                         .run_id = run_id};
  return -1;
}

int daemon_reload_from(daemon_ctx *d, const char *config_path,
                       char *const *extra, size_t n_extra) {
  d->serve.config_path = config_path;
  d->serve.extra_scripts = extra;
  d->serve.n_extra_scripts = n_extra;
  return -1;
}

void daemon_console(void *udata, bool is_error, const char *line, size_t len) {
  daemon_ctx *d = udata;
  log_console_line(is_error, line, len);
  if (d->ctl)
    control_console(d->ctl, is_error, line, len);
}

int daemon_loop(daemon_ctx *d, pipeline_opts *po) {
  d->serve.vm = po->vm;
  if (!po->cap.interface) {
    log_info("running with %zu script(s) and no capture interface ([capture] "
             "interface or -i); stop with SIGINT or SIGTERM",
             po->vm ? vm_script_count(po->vm) : 0);
    script_loop l = {.q = d->q,
                     .vm = po->vm,
                     .items = d->items,
                     .serve = &d->serve,
                     .stop = &d->stop};
    script_loop_run(&l);
    log_info("stopping on signal %d", (int)d->stop);
    return EXIT_OK;
  }
  log_info("starting capture on %s with %zu script(s); stop with SIGINT or "
           "SIGTERM",
           po->cap.interface, po->vm ? vm_script_count(po->vm) : 0);
  po->stop = &d->stop;
  po->q = d->q;
  po->items = d->items;
  po->serve = &d->serve;
  int rc = pipeline_run(po);
  if (d->stop)
    log_info("stopped on signal %d", (int)d->stop);
  return rc;
}

void daemon_close(daemon_ctx *d) {
  control_stop(d->ctl);
  item_store_close(d->items);
  if (d->q)
    queue_free(d->q);
  for (size_t i = 0; i < d->n_watch; i++)
    free(d->watch_dirs[i]);
  free(d->watch_dirs);
  *d = (daemon_ctx){0};
}
