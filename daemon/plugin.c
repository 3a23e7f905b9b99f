#include "config.h"

#include "plugin.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ltdl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "datadir.h"
#include "log.h"

#define MAX_PLUGINS 64
#define MAX_FUNCTIONS 1024

struct loaded_plugin {
  char *file;
  lt_dlhandle handle;
  const wh_plugin_info *info;
  char *error; /* why it was refused, NULL when loaded */
  bool initialised;
};

typedef struct service {
  char *name;
  const void *iface;
  size_t size;
  loaded_plugin *owner;
} service;

struct plugin_host {
  const wh_config *cfg;
  char *data_dir, *node_name, *node_ip, *run_id;
  loaded_plugin *plugins[MAX_PLUGINS];
  size_t n_plugins;
  plugin_fn *fns[MAX_FUNCTIONS];
  size_t n_fns;
  service services[32];
  size_t n_services;
  loaded_plugin *registering; /* set during init */
  bool register_failed;
  char register_error[512]; /* the first registration error of init */
  bool ltdl_ready;
};

/* The host of this process: the SDK's identity and env functions take no
 * handle, and there is one host per daemon. */
static plugin_host *the_host;

/* Helpers of the spec that live in plugins.  When their plugin is absent
 * the name still exists and throws "plugin ... is not available". */
static const struct {
  const char *path, *plugin;
} known_helpers[] = {
    {"file.write", "file"},
    {"file.append", "file"},
    {"file.move", "file"},
    {"file.copy", "file"},
    {"file.delete", "file"},
    {"file.mkdir", "file"},
    {"file.mkdirTemp", "file"},
    {"file.temp", "file"},
    {"file.tar", "file"},
    {"kfl.match", "kfl"},
    {"kfl.validate", "kfl"},
    {"vendor.webhook", "webhook"},
    {"vendor.slack", "slack"},
    {"vendor.slackBot", "slack"},
    {"vendor.influxdb", "influxdb"},
    {"vendor.elastic", "elastic"},
    {"vendor.s3.put", "s3"},
    {"vendor.s3.clear", "s3"},
    {"vendor.gcs.put", "gcs"},
    {"vendor.gcs.clear", "gcs"},
    {"chatgpt.prompt", "chatgpt"},
    {"chatgpt.sentiment", "chatgpt"},
};

/* Namespaces owned by the core; plugins may not register under them. */
static const char *const core_namespaces[] = {"console", "test", "env", "jobs",
                                              "pcap"};

static char *xstrdup(const char *s) {
  char *p = strdup(s ? s : "");
  if (!p) {
    log_error("out of memory");
    abort();
  }
  return p;
}

plugin_host *plugin_host_new(const wh_config *cfg, const char *data_dir,
                             const char *node_name, const char *node_ip,
                             const char *run_id) {
  plugin_host *h = calloc(1, sizeof(*h));
  if (!h)
    return NULL;
  h->cfg = cfg;
  h->data_dir = xstrdup(data_dir);
  h->node_name = xstrdup(node_name);
  h->node_ip = xstrdup(node_ip);
  h->run_id = xstrdup(run_id);
  the_host = h;
  return h;
}

/* ---- registry ---- */

static int valid_ident(const char *s, size_t n) {
  if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
    return 0;
  for (size_t i = 1; i < n; i++)
    if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
      return 0;
  return 1;
}

/* A path is two or more identifiers joined by dots. */
static int valid_path(const char *path) {
  const char *p = path;
  int parts = 0;
  for (;;) {
    const char *dot = strchr(p, '.');
    size_t n = dot ? (size_t)(dot - p) : strlen(p);
    if (!valid_ident(p, n))
      return 0;
    parts++;
    if (!dot)
      return parts >= 2;
    p = dot + 1;
  }
}

static int core_namespace(const char *path) {
  size_t n = strcspn(path, ".");
  for (size_t i = 0; i < sizeof(core_namespaces) / sizeof(*core_namespaces);
       i++)
    if (strlen(core_namespaces[i]) == n &&
        strncmp(core_namespaces[i], path, n) == 0)
      return 1;
  return 0;
}

static plugin_fn *find_fn(const plugin_host *h, const char *path) {
  for (size_t i = 0; i < h->n_fns; i++)
    if (strcmp(h->fns[i]->path, path) == 0)
      return h->fns[i];
  return NULL;
}

int plugin_parse_params(plugin_fn *fn, const char *params, char *err,
                        size_t errcap) {
  fn->n_params = 0;
  const char *p = params ? params : "";
  while (*p) {
    while (*p == ' ')
      p++;
    if (!*p)
      break;
    const char *colon = strchr(p, ':');
    size_t n = colon ? (size_t)(colon - p) : 0;
    if (!colon || n == 0 || n >= sizeof(fn->params[0].name) ||
        !valid_ident(p, n) || !strchr("sSbjJn", colon[1]) || !colon[1] ||
        (colon[2] != ' ' && colon[2] != '\0')) {
      snprintf(
          err, errcap,
          "bad params \"%s\" (expected \"name:kind ...\", kinds s S b j J n)",
          params);
      return -1;
    }
    if (fn->n_params == PLUGIN_MAX_PARAMS) {
      snprintf(err, errcap, "more than %d params", PLUGIN_MAX_PARAMS);
      return -1;
    }
    plugin_param *pp = &fn->params[fn->n_params++];
    memcpy(pp->name, p, n);
    pp->name[n] = '\0';
    pp->kind = colon[1];
    p = colon + 2;
  }
  return 0;
}

static void plugin_log(const wh_plugin *pl, wh_log_level level, const char *fmt,
                       ...) {
  const loaded_plugin *lp = (const loaded_plugin *)pl;
  va_list ap;
  va_start(ap, fmt);
  log_vmsg((int)level, lp->info ? lp->info->name : lp->file, fmt, ap);
  va_end(ap);
}

static int register_fn(wh_plugin *pl, const wh_fn_spec *spec) {
  plugin_host *h = the_host;
  loaded_plugin *lp = (loaded_plugin *)pl;
  char err[256];
  if (h->registering != lp) {
    log_error("plugin %s: register_fn called outside init", lp->file);
    return -1;
  }
  const char *path = spec && spec->path ? spec->path : "";
  plugin_fn *other = find_fn(h, path);
  if (!spec || !spec->fn || !valid_path(path) || core_namespace(path)) {
    snprintf(err, sizeof(err),
             "\"%s\" is not a valid function path (two or more identifiers "
             "joined by dots, outside console/test/env/jobs/pcap)",
             path);
  } else if (other) {
    snprintf(err, sizeof(err), "function %s is already registered by plugin %s",
             path, other->plugin_name);
  } else if (h->n_fns == MAX_FUNCTIONS) {
    snprintf(err, sizeof(err), "more than %d functions registered",
             MAX_FUNCTIONS);
  } else {
    plugin_fn *fn = calloc(1, sizeof(*fn));
    if (fn && plugin_parse_params(fn, spec->params, err, sizeof(err)) == 0) {
      fn->path = xstrdup(path);
      fn->fn = spec->fn;
      fn->udata = spec->udata;
      fn->doc = spec->doc;
      fn->owner = lp;
      fn->plugin_name = lp->info->name;
      h->fns[h->n_fns++] = fn;
      return 0;
    }
    if (!fn)
      snprintf(err, sizeof(err), "out of memory");
    free(fn);
  }
  /* Reported once, as the refusal's reason, when init returns. */
  if (!h->register_failed)
    snprintf(h->register_error, sizeof(h->register_error), "%s", err);
  h->register_failed = true;
  return -1;
}

static int register_service(wh_plugin *pl, const char *name, const void *iface,
                            size_t size) {
  plugin_host *h = the_host;
  loaded_plugin *lp = (loaded_plugin *)pl;
  if (h->registering != lp) {
    log_error("plugin %s: register_service called outside init", lp->file);
    return -1;
  }
  if (!name || !iface) {
    if (!h->register_failed)
      snprintf(h->register_error, sizeof(h->register_error),
               "register_service: no name or no interface");
    h->register_failed = true;
    return -1;
  }
  for (size_t i = 0; i < h->n_services; i++)
    if (strcmp(h->services[i].name, name) == 0) {
      if (!h->register_failed)
        snprintf(h->register_error, sizeof(h->register_error),
                 "service %s is already registered by plugin %s", name,
                 h->services[i].owner->info->name);
      h->register_failed = true;
      return -1;
    }
  if (h->n_services == sizeof(h->services) / sizeof(*h->services)) {
    log_error("plugin %s: too many services", lp->file);
    return -1;
  }
  h->services[h->n_services++] = (service){xstrdup(name), iface, size, lp};
  return 0;
}

const void *plugin_host_service(const plugin_host *h, const char *name,
                                size_t *iface_size) {
  for (size_t i = 0; i < h->n_services; i++)
    if (strcmp(h->services[i].name, name) == 0) {
      if (iface_size)
        *iface_size = h->services[i].size;
      return h->services[i].iface;
    }
  return NULL;
}

/* ---- calls ---- */

static const char *plugin_call_name(const wh_call *c) {
  return c->fn->path;
}
static void *plugin_call_udata(const wh_call *c) {
  return c->fn->udata;
}

static int set_error(wh_call *c, int kind, const char *fmt, va_list ap) {
  int n = snprintf(c->message, sizeof(c->message), "%s: ", c->fn->path);
  if (n < 0 || (size_t)n >= sizeof(c->message))
    n = 0;
  vsnprintf(c->message + n, sizeof(c->message) - (size_t)n, fmt, ap);
  c->error_kind = kind;
  return WH_ERR_THROWN;
}

static int plugin_throw_type(wh_call *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = set_error(c, 1, fmt, ap);
  va_end(ap);
  return rc;
}

static int plugin_throw_error(wh_call *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = set_error(c, 2, fmt, ap);
  va_end(ap);
  return rc;
}

static void plugin_console(wh_call *c, int is_error, const char *fmt, ...) {
  char text[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  if (c->console)
    c->console(c->console_ctx, is_error != 0, text);
}

/* ---- the rest of the API table ---- */

static const char *api_config(const wh_plugin *pl, const char *key) {
  const loaded_plugin *lp = (const loaded_plugin *)pl;
  const char *v = cfg_plugin_value(the_host->cfg, lp->info->name, key);
  if (v)
    return v;
  for (const wh_config_key *k = lp->info->config_keys; k && k->name; k++)
    if (strcmp(k->name, key) == 0)
      return k->default_value;
  return NULL;
}

static const char *api_env(const char *key) {
  return cfg_env_value(the_host->cfg, key);
}
static const char *api_node_name(void) {
  return the_host->node_name;
}
static const char *api_node_ip(void) {
  return the_host->node_ip;
}
static const char *api_run_id(void) {
  return the_host->run_id;
}
static const char *api_data_dir(void) {
  return the_host->data_dir;
}

static const wh_api host_api = {
    .size = sizeof(wh_api),
    .abi_major = WH_ABI_MAJOR,
    .abi_minor = WH_ABI_MINOR,
    .log = plugin_log,
    .register_fn = register_fn,
    .register_service = register_service,
    .config = api_config,
    .env = api_env,
    .node_name = api_node_name,
    .node_ip = api_node_ip,
    .run_id = api_run_id,
    .data_dir = api_data_dir,
    .path_normalize = datadir_normalize,
    .path_open = datadir_open,
    .path_parent = datadir_parent,
    .call_name = plugin_call_name,
    .call_udata = plugin_call_udata,
    .throw_type = plugin_throw_type,
    .throw_error = plugin_throw_error,
    .console = plugin_console,
};

/* ---- loading ---- */

static void refuse(loaded_plugin *lp, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void refuse(loaded_plugin *lp, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  free(lp->error);
  lp->error = xstrdup(msg);
  log_error("plugin %s: %s", lp->file, msg);
}

/* Drops everything plugin lp registered (after a failed init). */
static void unregister(plugin_host *h, loaded_plugin *lp) {
  size_t j = 0;
  for (size_t i = 0; i < h->n_fns; i++) {
    if (h->fns[i]->owner == lp) {
      free(h->fns[i]->path);
      free(h->fns[i]);
    } else {
      h->fns[j++] = h->fns[i];
    }
  }
  h->n_fns = j;
  j = 0;
  for (size_t i = 0; i < h->n_services; i++) {
    if (h->services[i].owner == lp)
      free(h->services[i].name);
    else
      h->services[j++] = h->services[i];
  }
  h->n_services = j;
}

static int check_info(plugin_host *h, loaded_plugin *lp) {
  const wh_plugin_info *in = lp->info;
  if (in->abi_major != WH_ABI_MAJOR || in->abi_minor > WH_ABI_MINOR) {
    refuse(lp,
           "built for plugin ABI %u.%u, this wirehook provides %d.%d; rebuild "
           "it against this wirehook's SDK (pkg-config wirehook-plugin)",
           in->abi_major, in->abi_minor, WH_ABI_MAJOR, WH_ABI_MINOR);
    return -1;
  }
  if (!in->name || !valid_ident(in->name, strlen(in->name)) || !in->init) {
    refuse(lp, "plugin info has no valid name or no init function");
    return -1;
  }
  for (size_t i = 0; i < h->n_plugins; i++)
    if (h->plugins[i] != lp && h->plugins[i]->info && !h->plugins[i]->error &&
        strcmp(h->plugins[i]->info->name, in->name) == 0) {
      refuse(lp, "a plugin named \"%s\" is already loaded from %s", in->name,
             h->plugins[i]->file);
      return -1;
    }
  return 0;
}

static int check_config_keys(loaded_plugin *lp, const wh_config *cfg) {
  const char *names[65];
  size_t n = 0;
  for (const wh_config_key *k = lp->info->config_keys; k && k->name && n < 64;
       k++)
    names[n++] = k->name;
  names[n] = NULL;
  char err[512];
  if (cfg &&
      cfg_check_plugin_keys(cfg, lp->info->name, names, err, sizeof(err)) < 0) {
    refuse(lp, "%s", err);
    return -1;
  }
  return 0;
}

static int init_plugin(plugin_host *h, loaded_plugin *lp) {
  h->registering = lp;
  h->register_failed = false;
  int rc = lp->info->init((wh_plugin *)lp, &host_api);
  h->registering = NULL;
  if (rc != 0 || h->register_failed) {
    if (rc == 0 && lp->info->fini)
      lp->info->fini((wh_plugin *)lp);
    unregister(h, lp);
    if (h->register_failed)
      refuse(lp, "%s", h->register_error);
    else
      refuse(lp, "init failed (returned %d); see the messages above", rc);
    return -1;
  }
  lp->initialised = true;
  return 0;
}

int plugin_host_load_file(plugin_host *h, const char *path) {
  if (h->n_plugins == MAX_PLUGINS) {
    log_error("plugin %s: more than %d plugins; remove some from the plugin "
              "directory",
              path, MAX_PLUGINS);
    return -1;
  }
  if (!h->ltdl_ready) {
    if (lt_dlinit() != 0) {
      log_error("plugin %s: libltdl: %s", path, lt_dlerror());
      return -1;
    }
    h->ltdl_ready = true;
  }
  loaded_plugin *lp = calloc(1, sizeof(*lp));
  if (!lp)
    return -1;
  lp->file = xstrdup(path);
  h->plugins[h->n_plugins++] = lp;

  lt_dladvise advise;
  if (lt_dladvise_init(&advise) || lt_dladvise_local(&advise)) {
    refuse(lp, "libltdl: %s", lt_dlerror());
    return -1;
  }
  lp->handle = lt_dlopenadvise(path, advise);
  lt_dladvise_destroy(&advise);
  if (!lp->handle) {
    refuse(lp, "cannot open: %s", lt_dlerror());
    return -1;
  }
  lp->info = lt_dlsym(lp->handle, WH_PLUGIN_INFO_SYMBOL);
  if (!lp->info) {
    refuse(lp,
           "no symbol %s: not a wirehook plugin (it must export a "
           "wh_plugin_info named %s)",
           WH_PLUGIN_INFO_SYMBOL, WH_PLUGIN_INFO_SYMBOL);
    return -1;
  }
  if (check_info(h, lp) < 0 || check_config_keys(lp, h->cfg) < 0)
    return -1;
  return init_plugin(h, lp);
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Plugin file base names in dir, sorted; *out is freed by the caller. */
static int list_plugin_files(const char *dir, char ***out, size_t *n) {
  DIR *d = opendir(dir);
  *out = NULL;
  *n = 0;
  if (!d)
    return -errno;
  struct dirent *e;
  size_t cap = 0;
  while ((e = readdir(d)) != NULL) {
    if (!ends_with(e->d_name, ".so") || e->d_name[0] == '.')
      continue;
    if (*n == cap) {
      cap = cap ? cap * 2 : 16;
      char **p = realloc(*out, cap * sizeof(char *));
      if (!p)
        break;
      *out = p;
    }
    (*out)[(*n)++] = xstrdup(e->d_name);
  }
  closedir(d);
  qsort(*out, *n, sizeof(char *), cmp_str);
  return 0;
}

static bool wanted(const wh_config *cfg, const char *file) {
  if (!cfg || cfg->load_all)
    return true;
  size_t n = strlen(file) - 3; /* without ".so" */
  for (size_t i = 0; i < cfg->n_load; i++)
    if (strlen(cfg->load[i]) == n && strncmp(cfg->load[i], file, n) == 0)
      return true;
  return false;
}

static void add_stubs(plugin_host *h) {
  for (size_t i = 0; i < sizeof(known_helpers) / sizeof(*known_helpers); i++) {
    if (find_fn(h, known_helpers[i].path) || h->n_fns == MAX_FUNCTIONS)
      continue;
    plugin_fn *fn = calloc(1, sizeof(*fn));
    if (!fn)
      return;
    fn->path = xstrdup(known_helpers[i].path);
    fn->plugin_name = known_helpers[i].plugin;
    h->fns[h->n_fns++] = fn;
  }
}

/* `load = name` entries that match no file are errors too. */
static int check_load_list(const wh_config *cfg, char **files, size_t n) {
  int failures = 0;
  for (size_t i = 0; cfg && !cfg->load_all && i < cfg->n_load; i++) {
    size_t len = strlen(cfg->load[i]);
    bool found = false;
    for (size_t j = 0; j < n && !found; j++)
      found = strncmp(files[j], cfg->load[i], len) == 0 &&
              strcmp(files[j] + len, ".so") == 0;
    if (!found) {
      log_error("[plugins] load: plugin \"%s\" not found in %s; check the "
                "name or [plugins] dir",
                cfg->load[i], cfg->plugin_dir);
      failures++;
    }
  }
  return failures;
}

int plugin_host_load(plugin_host *h) {
  const char *dir =
      h->cfg && h->cfg->plugin_dir ? h->cfg->plugin_dir : WH_PLUGINDIR;
  char **files;
  size_t n;
  int failures = 0;
  int rc = list_plugin_files(dir, &files, &n);
  if (rc < 0 && (rc != -ENOENT || (h->cfg && !h->cfg->load_all))) {
    log_error("[plugins] dir: %s: %s", dir, strerror(-rc));
    failures++;
  }
  for (size_t i = 0; i < n; i++) {
    if (wanted(h->cfg, files[i])) {
      char path[4096];
      snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
      if (plugin_host_load_file(h, path) < 0)
        failures++;
    }
  }
  failures += check_load_list(h->cfg, files, n);
  for (size_t i = 0; i < n; i++)
    free(files[i]);
  free(files);
  add_stubs(h);
  return failures;
}

void plugin_host_free(plugin_host *h) {
  if (!h)
    return;
  for (size_t i = h->n_plugins; i-- > 0;) {
    loaded_plugin *lp = h->plugins[i];
    if (lp->initialised && lp->info->fini)
      lp->info->fini((wh_plugin *)lp);
  }
  for (size_t i = 0; i < h->n_fns; i++) {
    free(h->fns[i]->path);
    free(h->fns[i]);
  }
  for (size_t i = 0; i < h->n_services; i++)
    free(h->services[i].name);
  for (size_t i = 0; i < h->n_plugins; i++) {
    loaded_plugin *lp = h->plugins[i];
    /* Valgrind reports leaks in code that was unloaded as "???"; keep
     * modules mapped when it asks (WH_KEEP_PLUGINS). */
    if (lp->handle && !getenv("WH_KEEP_PLUGINS"))
      lt_dlclose(lp->handle);
    free(lp->file);
    free(lp->error);
    free(lp);
  }
  if (h->ltdl_ready)
    lt_dlexit();
  free(h->data_dir);
  free(h->node_name);
  free(h->node_ip);
  free(h->run_id);
  if (the_host == h)
    the_host = NULL;
  free(h);
}

size_t plugin_host_fn_count(const plugin_host *h) {
  return h->n_fns;
}
const plugin_fn *plugin_host_fn_at(const plugin_host *h, size_t i) {
  return h->fns[i];
}
size_t plugin_host_plugin_count(const plugin_host *h) {
  return h->n_plugins;
}

plugin_desc plugin_host_plugin_at(const plugin_host *h, size_t i) {
  const loaded_plugin *lp = h->plugins[i];
  plugin_desc d = {NULL, NULL, NULL, lp->file, lp->error};
  if (lp->info) {
    d.name = lp->info->name;
    d.version = lp->info->version;
    d.description = lp->info->description;
  }
  return d;
}

bool plugin_fn_of(const plugin_fn *fn, const plugin_host *h, size_t i) {
  return fn->owner == h->plugins[i];
}
