/* Configuration loader: INI files read with inih (DESIGN "Configuration").
 *
 * Each file is read into memory first and pre-scanned, then handed to inih
 * line by line through our own reader.  That lets us:
 *  - refuse lines longer than inih's buffer before inih cuts them (a cut
 *    line would be half-read and its rest parsed as a new line);
 *  - count lines ourselves (Debian's inih is built without
 *    INI_HANDLER_LINENO, and defining it here would not match the library);
 *  - see every section header, so an unknown but empty section is refused.
 * Env values are secrets: no error message ever contains one. */
#include "config.h"

#include "cfg.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef WH_SYSCONFDIR
#define WH_SYSCONFDIR "/etc"
#endif
#ifndef WH_LOCALSTATEDIR
#define WH_LOCALSTATEDIR "/var"
#endif
#ifndef WH_PLUGINDIR
#define WH_PLUGINDIR "/usr/local/lib/wirehook/plugins"
#endif

/* inih's buffer holds INI_MAX_LINE bytes including the terminating NUL. */
#define MAX_LINE ((size_t)INI_MAX_LINE - 1)
/* inih copies section names into a 50-byte buffer (MAX_SECTION in ini.c). */
#define MAX_SECTION_NAME 49
#define MAX_FILE_SIZE (1024 * 1024) /* INI files and KEY_FILE files */
/* Keeps the linear duplicate checks cheap on hostile input (fuzzing). */
#define MAX_KEYS_PER_FILE 10000
#define HOOK_TIMEOUT_MAX 3600000UL

/* ---- small helpers ---------------------------------------------------- */

/* Zeroes memory that may hold secrets; volatile so it is not optimised out
 * before free(). */
static void wipe(void *p, size_t n) {
  volatile unsigned char *v = p;
  while (n--)
    *v++ = 0;
}

static void wipe_free(char *s) {
  if (s) {
    wipe(s, strlen(s));
    free(s);
  }
}

static void free_strv(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

/* Copies s into buf for an error message: truncated, with control bytes
 * replaced so a message stays one line and harmless on a terminal. */
static const char *shown(char *buf, size_t cap, const char *s) {
  size_t i = 0;
  for (; s[i] && i + 1 < cap; i++) {
    unsigned char ch = (unsigned char)s[i];
    buf[i] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
  }
  buf[i] = '\0';
  if (s[i] && cap > 4)
    memcpy(buf + cap - 4, "...", 4);
  return buf;
}

static void set_err(char *err, size_t errcap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errcap, const char *fmt, ...) {
  if (!err || !errcap)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errcap, fmt, ap);
  va_end(ap);
}

/* ---- cfg_list ----------------------------------------------------------- */

const cfg_kv *cfg_list_find(const cfg_list *list, const char *key) {
  for (size_t i = 0; i < list->n; i++)
    if (strcmp(list->items[i].key, key) == 0)
      return &list->items[i];
  return NULL;
}

const char *cfg_list_value(const cfg_list *list, const char *key) {
  const cfg_kv *kv = cfg_list_find(list, key);
  return kv ? kv->value : NULL;
}

/* Sets key to value, replacing an earlier value (a later file overrides an
 * earlier one).  The old value is wiped: it may be a secret. */
static int list_set(cfg_list *list, const char *key, const char *value,
                    const char *file, int line) {
  char *v = strdup(value), *f = strdup(file);
  if (!v || !f)
    goto fail;
  cfg_kv *kv = (cfg_kv *)cfg_list_find(list, key);
  if (!kv) {
    if (list->n == list->cap) {
      size_t cap = list->cap ? list->cap * 2 : 8;
      cfg_kv *items = realloc(list->items, cap * sizeof *items);
      if (!items)
        goto fail;
      list->items = items;
      list->cap = cap;
    }
    kv = &list->items[list->n];
    if (!(kv->key = strdup(key)))
      goto fail;
    kv->value = kv->file = NULL;
    list->n++;
  }
  wipe_free(kv->value);
  free(kv->file);
  kv->value = v;
  kv->file = f;
  kv->line = line;
  return 0;
fail:
  wipe_free(v);
  free(f);
  return -1;
}

static void list_free(cfg_list *list) {
  for (size_t i = 0; i < list->n; i++) {
    free(list->items[i].key);
    wipe_free(list->items[i].value);
    free(list->items[i].file);
  }
  free(list->items);
  list->items = NULL;
  list->n = list->cap = 0;
}

/* ---- init / free -------------------------------------------------------- */

static char *host_name(void) {
  char buf[256];
  if (gethostname(buf, sizeof buf) != 0 || !buf[0])
    return strdup("localhost");
  buf[sizeof buf - 1] = '\0';
  return strdup(buf);
}

void cfg_init(wh_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  /* A failed strdup leaves NULL; cfg_load_file reports it as out of
   * memory, since cfg_init cannot return an error. */
  cfg->data_dir = strdup(WH_LOCALSTATEDIR "/lib/wirehook");
  cfg->hook_timeout_ms = 1000;
  cfg->max_heap_mb = 512;
  cfg->watch = false;
  cfg->plugin_dir = strdup(WH_PLUGINDIR);
  cfg->load_all = true;
  cfg->node_name = host_name();
  cfg->node_ip = strdup("");
  cfg->node_worker = strdup("");
  cfg->control_socket = strdup("/run/wirehook/control.sock");
}

static bool init_ok(const wh_config *cfg) {
  return cfg->data_dir && cfg->plugin_dir && cfg->node_name && cfg->node_ip &&
         cfg->node_worker && cfg->control_socket;
}

void cfg_free(wh_config *cfg) {
  free(cfg->data_dir);
  list_free(&cfg->storage);
  free_strv(cfg->scripts, cfg->n_scripts);
  list_free(&cfg->scripting_extra);
  list_free(&cfg->env);
  free(cfg->plugin_dir);
  free_strv(cfg->load, cfg->n_load);
  for (size_t i = 0; i < cfg->n_plugins; i++) {
    free(cfg->plugins[i].name);
    list_free(&cfg->plugins[i].keys);
  }
  free(cfg->plugins);
  free(cfg->node_name);
  free(cfg->node_ip);
  free(cfg->node_worker);
  free(cfg->control_socket);
  free(cfg->control_group);
  list_free(&cfg->control_extra);
  list_free(&cfg->capture);
  list_free(&cfg->resolve);
  memset(cfg, 0, sizeof *cfg);
}

/* ---- reading files ------------------------------------------------------ */

/* Grows buf to `size` bytes by copy, wiping the old block: realloc could
 * leave a copy of a secret behind in freed memory. */
static char *grow_wiped(char *buf, size_t used, size_t old, size_t size) {
  char *p = malloc(size);
  if (!p)
    return NULL;
  memcpy(p, buf, used);
  wipe(buf, old);
  free(buf);
  return p;
}

/* Reads a whole file of at most `cap` bytes, NUL-terminated.  Returns 0, -1
 * with errno set, or -2 when the file is larger than cap. */
static int read_file(const char *path, size_t cap, char **out, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  size_t n = 0, size = 4096;
  char *buf = malloc(size), *p;
  int rc = -1;
  while (buf) {
    if (n > cap) {
      rc = -2;
      break;
    }
    if (n + 1 == size) { /* one byte stays free for the NUL */
      if (!(p = grow_wiped(buf, n, size, size * 2)))
        break;
      buf = p;
      size *= 2;
    }
    ssize_t r = read(fd, buf + n, size - 1 - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      break;
    if (r == 0) {
      buf[n] = '\0';
      *out = buf;
      *len = n;
      buf = NULL;
      rc = 0;
      break;
    }
    n += (size_t)r;
  }
  if (buf) {
    wipe(buf, size);
    free(buf);
  }
  int saved = errno;
  close(fd);
  errno = saved;
  return rc;
}

/* ---- parse state -------------------------------------------------------- */

typedef struct parse_ctx {
  wh_config *cfg;
  const char *path;
  const char *data; /* the whole file */
  size_t len, pos;
  int lineno;    /* of the line last handed to inih */
  cfg_list seen; /* key "section\nname", value unused: duplicate check */
  char *err;
  size_t errcap;
  int err_line; /* line of our first error, 0 = none */
} parse_ctx;

static void fail(parse_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Records the first error of the file as "FILE:LINE: message". */
static void fail(parse_ctx *c, const char *fmt, ...) {
  if (c->err_line)
    return;
  c->err_line = c->lineno > 0 ? c->lineno : 1;
  char msg[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  set_err(c->err, c->errcap, "%s:%d: %s", c->path, c->err_line, msg);
}

/* Error about one key: "FILE:LINE: [section] key: message". */
static void key_fail(parse_ctx *c, const char *section, const char *name,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void key_fail(parse_ctx *c, const char *section, const char *name,
                     const char *fmt, ...) {
  char msg[512], s[64], k[96];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fail(c, "[%s] %s: %s", shown(s, sizeof s, section), shown(k, sizeof k, name),
       msg);
}

static int oom(parse_ctx *c, const char *section, const char *name) {
  key_fail(c, section, name, "out of memory; free some memory and retry");
  return -1;
}

/* The next line of the buffer as inih should see it: without its line end
 * ("\n" or "\r\n"), without a UTF-8 byte-order mark on line 1, and without
 * leading white space.  Dropping leading white space turns off inih's
 * multi-line values (an indented line would otherwise continue the previous
 * value and call the handler again for the same key), so an indented line
 * is simply a line of its own. */
static bool next_line(parse_ctx *c, const char **start, size_t *n) {
  if (c->pos >= c->len)
    return false;
  const char *line = c->data + c->pos;
  size_t rest = c->len - c->pos;
  const char *nl = memchr(line, '\n', rest);
  size_t len = nl ? (size_t)(nl - line) : rest;
  c->pos += nl ? len + 1 : len;
  c->lineno++;
  if (len && line[len - 1] == '\r')
    len--;
  if (c->lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
    line += 3;
    len -= 3;
  }
  while (len && isspace((unsigned char)*line)) {
    line++;
    len--;
  }
  *start = line;
  *n = len;
  return true;
}

static void fail_too_long(parse_ctx *c, size_t max) {
  fail(c,
       "line is longer than %zu characters (inih's limit); put the value in "
       "a file and use KEY_FILE = path",
       max);
}

/* Runs before inih sees the file, so a line inih would cut is never
 * half-read. */
static int prescan(parse_ctx *c) {
  const char *line;
  size_t n;
  while (next_line(c, &line, &n)) {
    if (n > MAX_LINE) {
      fail_too_long(c, MAX_LINE);
      return -1;
    }
    if (memchr(line, '\0', n)) {
      fail(c, "the line contains a NUL byte; the file must be text");
      return -1;
    }
  }
  c->pos = 0;
  c->lineno = 0;
  return 0;
}

/* ---- sections ----------------------------------------------------------- */

static const char *const section_names[] = {
    "capture", "storage", "scripting", "scripting.env", "plugins", "control",
    "resolve", "node",    NULL};

#define SECTION_LIST                                                           \
  "[capture], [storage], [scripting], [scripting.env], [plugins], "            \
  "[plugin.NAME], [control], [resolve] or [node]"

static bool is_name_char(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* NAME of [plugin.NAME]: [a-z0-9_]+ */
static bool valid_plugin_name(const char *s, size_t n) {
  if (!n)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!is_name_char(s[i]))
      return false;
  return true;
}

/* Checks a "[name]" line before inih takes it as the current section.  A
 * line without ']' is left to inih, which reports it as a syntax error. */
static int check_section_line(parse_ctx *c, const char *line) {
  const char *end = strchr(line + 1, ']');
  if (!end)
    return 0;
  size_t n = (size_t)(end - line - 1);
  char name[MAX_SECTION_NAME + 1], s[64];
  if (n > MAX_SECTION_NAME) {
    fail(c,
         "[%s]: the section name is longer than %d characters (inih's limit); "
         "use a shorter plugin name",
         shown(s, sizeof s, line + 1), MAX_SECTION_NAME);
    return -1;
  }
  memcpy(name, line + 1, n);
  name[n] = '\0';
  for (size_t i = 0; section_names[i]; i++)
    if (strcmp(name, section_names[i]) == 0)
      return 0;
  if (strncmp(name, "plugin.", 7) == 0) {
    if (valid_plugin_name(name + 7, n - 7))
      return 0;
    fail(c,
         "[%s]: a plugin name has only lowercase letters, digits and _; "
         "use the name the plugin is loaded under",
         shown(s, sizeof s, name));
    return -1;
  }
  fail(c, "[%s]: unknown section; use " SECTION_LIST, shown(s, sizeof s, name));
  return -1;
}

/* inih's fgets-style reader over our buffer. */
static char *reader(char *str, int num, void *stream) {
  parse_ctx *c = stream;
  const char *line;
  size_t n;
  if (c->err_line || !next_line(c, &line, &n))
    return NULL; /* stop at our first error */
  if (num <= 0 || n >= (size_t)num) {
    /* Only if the library's buffer is smaller than its header says. */
    fail_too_long(c, num > 0 ? (size_t)num - 1 : 0);
    return NULL;
  }
  memcpy(str, line, n);
  str[n] = '\0';
  if (str[0] == '[' && check_section_line(c, str) < 0)
    return NULL;
  return str;
}

/* ---- value parsers ------------------------------------------------------ */

static int parse_bool(const char *v, bool *out) {
  static const char *const yes[] = {"true", "yes", "1", "on", NULL};
  static const char *const no[] = {"false", "no", "0", "off", NULL};
  for (size_t i = 0; yes[i]; i++) {
    if (strcasecmp(v, yes[i]) == 0) {
      *out = true;
      return 0;
    }
    if (strcasecmp(v, no[i]) == 0) {
      *out = false;
      return 0;
    }
  }
  return -1;
}

/* Splits "a, b c" on commas and white space; empty items are dropped. */
static int split_list(const char *v, char ***out, size_t *n_out) {
  char **items = NULL;
  size_t n = 0;
  while (*v) {
    size_t skip = strspn(v, ", \t\r\n\v\f");
    v += skip;
    size_t len = strcspn(v, ", \t\r\n\v\f");
    if (!len)
      break;
    char **p = realloc(items, (n + 1) * sizeof *items);
    if (!p)
      goto fail;
    items = p;
    if (!(items[n] = strndup(v, len)))
      goto fail;
    n++;
    v += len;
  }
  *out = items;
  *n_out = n;
  return 0;
fail:
  free_strv(items, n);
  return -1;
}

/* ---- key setters -------------------------------------------------------- */

typedef int (*setter_fn)(parse_ctx *c, const char *section, const char *name,
                         const char *value);

typedef struct key_def {
  const char *name;
  setter_fn set;
} key_def;

static int replace_str(parse_ctx *c, const char *section, const char *name,
                       char **field, const char *value) {
  char *v = strdup(value);
  if (!v)
    return oom(c, section, name);
  free(*field);
  *field = v;
  return 0;
}

static int nonempty(parse_ctx *c, const char *section, const char *name,
                    const char *value, const char *what) {
  if (*value)
    return 0;
  key_fail(c, section, name, "empty value; give %s", what);
  return -1;
}

/* Keys kept as raw strings until the issue that uses them; the list is
 * chosen by section. */
static cfg_list *raw_list(wh_config *cfg, const char *section) {
  if (strcmp(section, "capture") == 0)
    return &cfg->capture;
  if (strcmp(section, "resolve") == 0)
    return &cfg->resolve;
  if (strcmp(section, "storage") == 0)
    return &cfg->storage;
  if (strcmp(section, "scripting") == 0)
    return &cfg->scripting_extra;
  return &cfg->control_extra;
}

static int set_raw(parse_ctx *c, const char *section, const char *name,
                   const char *value) {
  if (list_set(raw_list(c->cfg, section), name, value, c->path, c->lineno))
    return oom(c, section, name);
  return 0;
}

static int set_data_dir(parse_ctx *c, const char *section, const char *name,
                        const char *value) {
  if (nonempty(c, section, name, value, "a directory"))
    return -1;
  return replace_str(c, section, name, &c->cfg->data_dir, value);
}

static int set_scripts(parse_ctx *c, const char *section, const char *name,
                       const char *value) {
  char **v;
  size_t n;
  if (split_list(value, &v, &n))
    return oom(c, section, name);
  /* A later file replaces the list rather than adding to it. */
  free_strv(c->cfg->scripts, c->cfg->n_scripts);
  c->cfg->scripts = v;
  c->cfg->n_scripts = n;
  return 0;
}

/* A whole number in [min, max]; `what` describes it in the error. */
static int set_uint(parse_ctx *c, const char *section, const char *name,
                    const char *value, unsigned long min, unsigned long max,
                    const char *what, unsigned *out) {
  char vb[64];
  /* strtoul accepts signs and spaces; only plain digits are a number. */
  bool digits = *value && strspn(value, "0123456789") == strlen(value);
  errno = 0;
  unsigned long v = digits ? strtoul(value, NULL, 10) : 0;
  if (!digits || errno || v < min || v > max) {
    key_fail(c, section, name, "\"%s\" is not a number of %s (%lu..%lu)",
             shown(vb, sizeof vb, value), what, min, max);
    return -1;
  }
  *out = (unsigned)v;
  return 0;
}

static int set_hook_timeout(parse_ctx *c, const char *section, const char *name,
                            const char *value) {
  return set_uint(c, section, name, value, 1, HOOK_TIMEOUT_MAX, "milliseconds",
                  &c->cfg->hook_timeout_ms);
}

static int set_max_heap(parse_ctx *c, const char *section, const char *name,
                        const char *value) {
  return set_uint(c, section, name, value, 16, 65536, "MiB",
                  &c->cfg->max_heap_mb);
}

static int set_watch(parse_ctx *c, const char *section, const char *name,
                     const char *value) {
  char vb[64];
  if (parse_bool(value, &c->cfg->watch) == 0)
    return 0;
  key_fail(c, section, name,
           "\"%s\" is not a boolean; use true or false (yes/no, on/off, 1/0)",
           shown(vb, sizeof vb, value));
  return -1;
}

static int set_plugin_dir(parse_ctx *c, const char *section, const char *name,
                          const char *value) {
  if (nonempty(c, section, name, value, "a directory"))
    return -1;
  return replace_str(c, section, name, &c->cfg->plugin_dir, value);
}

static int check_load_names(parse_ctx *c, const char *section, const char *name,
                            char **v, size_t n) {
  char vb[64];
  for (size_t i = 0; i < n; i++) {
    if (strcmp(v[i], "all") == 0 && n > 1) {
      key_fail(c, section, name,
               "\"all\" cannot be combined with plugin names; use either "
               "all or a list of names");
      return -1;
    }
    if (!valid_plugin_name(v[i], strlen(v[i]))) {
      key_fail(c, section, name,
               "\"%s\" is not a plugin name; use names of lowercase letters, "
               "digits and _, separated by commas",
               shown(vb, sizeof vb, v[i]));
      return -1;
    }
  }
  return 0;
}

static int set_load(parse_ctx *c, const char *section, const char *name,
                    const char *value) {
  char **v;
  size_t n;
  if (split_list(value, &v, &n))
    return oom(c, section, name);
  if (check_load_names(c, section, name, v, n)) {
    free_strv(v, n);
    return -1;
  }
  free_strv(c->cfg->load, c->cfg->n_load);
  c->cfg->load = NULL;
  c->cfg->n_load = 0;
  if (n == 1 && strcmp(v[0], "all") == 0) {
    free_strv(v, n);
    c->cfg->load_all = true;
    return 0;
  }
  c->cfg->load = v;
  c->cfg->n_load = n;
  c->cfg->load_all = false; /* an empty list loads no plugin */
  return 0;
}

static bool printable(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      return false;
  return true;
}

static int set_node_name(parse_ctx *c, const char *section, const char *name,
                         const char *value) {
  if (nonempty(c, section, name, value, "a node name"))
    return -1;
  return replace_str(c, section, name, &c->cfg->node_name, value);
}

static int set_node_ip(parse_ctx *c, const char *section, const char *name,
                       const char *value) {
  unsigned char addr[16];
  char vb[64];
  if (*value && inet_pton(AF_INET, value, addr) != 1 &&
      inet_pton(AF_INET6, value, addr) != 1) {
    key_fail(c, section, name,
             "\"%s\" is not an IP address; use e.g. 192.0.2.7 or 2001:db8::7, "
             "or leave it empty",
             shown(vb, sizeof vb, value));
    return -1;
  }
  return replace_str(c, section, name, &c->cfg->node_ip, value);
}

/* HOST:PORT (an IPv6 host in brackets), port 1..65535. */
static bool valid_host_port(const char *v) {
  const char *colon = strrchr(v, ':');
  if (!colon || colon == v || !colon[1] || !printable(v))
    return false;
  const char *p = colon + 1;
  if (strspn(p, "0123456789") != strlen(p) || strlen(p) > 5)
    return false;
  long port = strtol(p, NULL, 10);
  if (port < 1 || port > 65535)
    return false;
  /* An unbracketed IPv6 address would be ambiguous. */
  return v[0] == '[' ? colon[-1] == ']'
                     : memchr(v, ':', (size_t)(colon - v)) == NULL;
}

static int set_node_worker(parse_ctx *c, const char *section, const char *name,
                           const char *value) {
  char vb[64];
  if (*value && !valid_host_port(value)) {
    key_fail(c, section, name,
             "\"%s\" is not HOST:PORT; use e.g. 192.0.2.7:8897 or [::1]:8897, "
             "or leave it empty for <ip>:8897",
             shown(vb, sizeof vb, value));
    return -1;
  }
  return replace_str(c, section, name, &c->cfg->node_worker, value);
}

static int set_control_socket(parse_ctx *c, const char *section,
                              const char *name, const char *value) {
  if (nonempty(c, section, name, value, "a socket path"))
    return -1;
  /* sockaddr_un.sun_path holds 108 bytes including the NUL. */
  if (strlen(value) > 107) {
    key_fail(c, section, name,
             "the path is longer than 107 bytes (the limit for a Unix "
             "socket); use a shorter path");
    return -1;
  }
  return replace_str(c, section, name, &c->cfg->control_socket, value);
}

static int set_control_group(parse_ctx *c, const char *section,
                             const char *name, const char *value) {
  if (nonempty(c, section, name, value, "a group name"))
    return -1;
  return replace_str(c, section, name, &c->cfg->control_group, value);
}

static const key_def capture_keys[] = {{"interface", set_raw},
                                       {"filter", set_raw},
                                       {"snaplen", set_raw},
                                       {"promiscuous", set_raw},
                                       {"buffer_size", set_raw},
                                       {"immediate", set_raw},
                                       {"max_body", set_raw},
                                       {"stats_interval", set_raw},
                                       {"queue_size", set_raw},
                                       {"max_flows", set_raw},
                                       {"max_flow_bytes", set_raw},
                                       {"max_total_bytes", set_raw},
                                       {"http_timeout", set_raw},
                                       {"dns_timeout", set_raw},
                                       {"dns_port", set_raw},
                                       {"fragment_timeout", set_raw},
                                       {"max_fragments", set_raw},
                                       {"flow_timeout", set_raw},
                                       {NULL, NULL}};

static const key_def storage_keys[] = {{"dir", set_data_dir},
                                       {"max_size", set_raw},
                                       {"max_age", set_raw},
                                       {"items", set_raw},
                                       {"items_max_size", set_raw},
                                       {"items_max_age", set_raw},
                                       {"items_segment_size", set_raw},
                                       {NULL, NULL}};

static const key_def scripting_keys[] = {
    {"scripts", set_scripts},      {"hook_timeout_ms", set_hook_timeout},
    {"max_heap_mb", set_max_heap}, {"watch", set_watch},
    {"queue_size", set_raw},       {NULL, NULL}};

static const key_def plugins_keys[] = {
    {"dir", set_plugin_dir}, {"load", set_load}, {NULL, NULL}};

static const key_def control_keys[] = {{"socket", set_control_socket},
                                       {"group", set_control_group},
                                       {"max_clients", set_raw},
                                       {"timeout_ms", set_raw},
                                       {NULL, NULL}};

static const key_def resolve_keys[] = {
    {"hosts", set_raw}, {"learn_dns", set_raw}, {NULL, NULL}};

static const key_def node_keys[] = {{"name", set_node_name},
                                    {"ip", set_node_ip},
                                    {"worker", set_node_worker},
                                    {NULL, NULL}};

static const struct {
  const char *name;
  const key_def *keys;
} sections[] = {{"capture", capture_keys},
                {"storage", storage_keys},
                {"scripting", scripting_keys},
                {"plugins", plugins_keys},
                {"control", control_keys},
                {"resolve", resolve_keys},
                {"node", node_keys}};

static void unknown_key(parse_ctx *c, const char *section, const char *name,
                        const key_def *keys) {
  char known[400] = "";
  size_t len = 0;
  for (size_t i = 0; keys[i].name && len < sizeof known; i++)
    len += (size_t)snprintf(known + len, sizeof known - len, "%s%s",
                            i ? ", " : "", keys[i].name);
  key_fail(c, section, name, "unknown key; known keys are %s", known);
}

/* ---- duplicate keys ------------------------------------------------------ */

/* Refuses a key set twice in one file (across files, later ones override).
 * `shown_name` is what the message names (KEY_FILE for an env file key). */
static int check_dup(parse_ctx *c, const char *section, const char *key,
                     const char *shown_name) {
  char *id = malloc(strlen(section) + strlen(key) + 2);
  if (!id)
    return oom(c, section, shown_name);
  sprintf(id, "%s\n%s", section, key);
  const cfg_kv *prev = cfg_list_find(&c->seen, id);
  int rc = 0;
  char kb[96];
  if (prev) {
    key_fail(c, section, shown_name,
             "%s is set twice in this file (first on line %d); remove one",
             shown(kb, sizeof kb, key), prev->line);
    rc = -1;
  } else if (c->seen.n >= MAX_KEYS_PER_FILE) {
    key_fail(c, section, shown_name,
             "more than %d keys in one file; split the configuration",
             MAX_KEYS_PER_FILE);
    rc = -1;
  } else if (list_set(&c->seen, id, "", c->path, c->lineno)) {
    rc = oom(c, section, shown_name);
  }
  free(id);
  return rc;
}

/* ---- [scripting.env] ----------------------------------------------------- */

/* An env key is any non-empty printable string: keys that are not JS
 * identifiers stay reachable through `env` (runtime spec §4). */
static bool valid_env_key(const char *k) {
  return *k && printable(k);
}

static char *resolve_path(const char *ini, const char *path) {
  const char *slash = strrchr(ini, '/');
  if (path[0] == '/' || !slash)
    return strdup(path);
  size_t dirlen = (size_t)(slash - ini);
  char *out = malloc(dirlen + 1 + strlen(path) + 1);
  if (out)
    sprintf(out, "%.*s/%s", (int)dirlen, ini, path);
  return out;
}

/* Reads KEY_FILE's file into *out with one trailing newline removed.  The
 * messages name the path but never the content. */
static int read_env_file(parse_ctx *c, const char *name, const char *value,
                         char **out) {
  const char *sec = "scripting.env";
  char pb[256];
  if (!*value) {
    key_fail(c, sec, name, "empty path; give the file that holds the value");
    return -1;
  }
  char *path = resolve_path(c->path, value);
  if (!path)
    return oom(c, sec, name);
  char *buf = NULL;
  size_t len = 0;
  int rc = read_file(path, MAX_FILE_SIZE, &buf, &len);
  if (rc == -1)
    key_fail(c, sec, name,
             "cannot read \"%s\": %s; check the path (a relative path is "
             "relative to the INI file's directory)",
             shown(pb, sizeof pb, path), strerror(errno));
  else if (rc == -2)
    key_fail(c, sec, name, "\"%s\" is larger than 1 MiB; use a smaller file",
             shown(pb, sizeof pb, path));
  else if (memchr(buf, '\0', len)) {
    key_fail(c, sec, name, "\"%s\" contains a NUL byte; env values are text",
             shown(pb, sizeof pb, path));
    wipe(buf, len);
    free(buf);
    rc = -1;
  }
  free(path);
  if (rc)
    return -1;
  if (len && buf[len - 1] == '\n')
    buf[--len] = '\0';
  if (len && buf[len - 1] == '\r')
    buf[--len] = '\0';
  *out = buf;
  return 0;
}

static bool is_file_key(const char *name) {
  size_t n = strlen(name);
  return n >= 5 && strcmp(name + n - 5, "_FILE") == 0;
}

static int set_env(parse_ctx *c, const char *name, const char *value) {
  const char *sec = "scripting.env";
  bool from_file = is_file_key(name);
  char *key = from_file ? strndup(name, strlen(name) - 5) : strdup(name);
  char *content = NULL;
  int rc = -1;
  if (!key)
    return oom(c, sec, name);
  if (!valid_env_key(key)) {
    key_fail(c, sec, name,
             *key ? "the key contains a control character; use printable "
                    "characters"
                  : "the name before _FILE is empty; write KEY_FILE = path");
    goto done;
  }
  if (check_dup(c, sec, key, name))
    goto done;
  if (from_file && read_env_file(c, name, value, &content))
    goto done;
  if (list_set(&c->cfg->env, key, content ? content : value, c->path,
               c->lineno)) {
    oom(c, sec, name);
    goto done;
  }
  rc = 0;
done:
  wipe_free(content);
  free(key);
  return rc;
}

/* ---- [plugin.NAME] ------------------------------------------------------- */

static cfg_plugin_section *find_plugin(const wh_config *cfg, const char *name) {
  for (size_t i = 0; i < cfg->n_plugins; i++)
    if (strcmp(cfg->plugins[i].name, name) == 0)
      return &cfg->plugins[i];
  return NULL;
}

static cfg_plugin_section *add_plugin(wh_config *cfg, const char *name) {
  cfg_plugin_section *p =
      realloc(cfg->plugins, (cfg->n_plugins + 1) * sizeof *p);
  if (!p)
    return NULL;
  cfg->plugins = p;
  p = &cfg->plugins[cfg->n_plugins];
  memset(p, 0, sizeof *p);
  if (!(p->name = strdup(name)))
    return NULL;
  cfg->n_plugins++;
  return p;
}

static int set_plugin_key(parse_ctx *c, const char *section, const char *name,
                          const char *value) {
  if (check_dup(c, section, name, name))
    return -1;
  const char *plugin = section + strlen("plugin.");
  cfg_plugin_section *p = find_plugin(c->cfg, plugin);
  if (!p && !(p = add_plugin(c->cfg, plugin)))
    return oom(c, section, name);
  /* Checked against the plugin's declared keys once it is loaded. */
  if (list_set(&p->keys, name, value, c->path, c->lineno))
    return oom(c, section, name);
  return 0;
}

/* ---- the inih handler ---------------------------------------------------- */

static int set_key(parse_ctx *c, const char *section, const char *name,
                   const char *value) {
  if (strcmp(section, "scripting.env") == 0)
    return set_env(c, name, value);
  if (strncmp(section, "plugin.", 7) == 0)
    return set_plugin_key(c, section, name, value);
  for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
    if (strcmp(section, sections[i].name) != 0)
      continue;
    const key_def *keys = sections[i].keys;
    for (size_t k = 0; keys[k].name; k++)
      if (strcmp(name, keys[k].name) == 0)
        return check_dup(c, section, name, name)
                   ? -1
                   : keys[k].set(c, section, name, value);
    unknown_key(c, section, name, keys);
    return -1;
  }
  /* Not reached: the reader refuses unknown section lines. */
  fail(c, "[%s]: unknown section; use " SECTION_LIST, section);
  return -1;
}

static int handler(void *user, const char *section, const char *name,
                   const char *value) {
  parse_ctx *c = user;
  if (c->err_line)
    return 0;
  if (!*section) {
    char kb[96];
    fail(c, "%s: key outside a section; put it under one of " SECTION_LIST,
         shown(kb, sizeof kb, name));
    return 0;
  }
  if (!*name) {
    key_fail(c, section, "(no key)",
             "the line has no key before '='; write key = value");
    return 0;
  }
  return set_key(c, section, name, value) == 0;
}

/* ---- loading ------------------------------------------------------------- */

static int parse_buffer(parse_ctx *c) {
  if (prescan(c))
    return -1;
  int rc = ini_parse_stream(reader, c, handler, c);
  /* inih returns the first line with an error: ours (the handler returned
   * 0) or a syntax error it found itself, which may come first. */
  if (rc > 0 && (!c->err_line || rc < c->err_line)) {
    c->err_line = 0;
    c->lineno = rc;
    fail(c, "expected [section] or key = value; fix or remove the line "
            "(comments start with ; or #)");
  }
  if (rc < 0 && !c->err_line)
    fail(c, "out of memory while parsing; free some memory and retry");
  return c->err_line ? -1 : 0;
}

int cfg_load_file(wh_config *cfg, const char *path, char *err, size_t errcap) {
  if (!init_ok(cfg)) {
    set_err(err, errcap, "%s: out of memory; free some memory and retry", path);
    return -1;
  }
  char *data = NULL;
  size_t len = 0;
  int rc = read_file(path, MAX_FILE_SIZE, &data, &len);
  if (rc == -1) {
    set_err(err, errcap, "%s: cannot read: %s; check the path", path,
            strerror(errno));
    return -1;
  }
  if (rc == -2) {
    set_err(err, errcap,
            "%s: larger than 1 MiB; put long values in files (KEY_FILE)", path);
    return -1;
  }
  parse_ctx c = {.cfg = cfg,
                 .path = path,
                 .data = data,
                 .len = len,
                 .err = err,
                 .errcap = errcap};
  rc = parse_buffer(&c);
  list_free(&c.seen);
  wipe(data, len); /* inline env values are secrets too */
  free(data);
  return rc;
}

/* Loads path if it exists; a file that exists but cannot be read is an
 * error (silently skipping it would hide a permission problem). */
static int load_if_present(wh_config *cfg, const char *path, char *err,
                           size_t errcap) {
  struct stat st;
  if (stat(path, &st) != 0 && (errno == ENOENT || errno == ENOTDIR))
    return 0;
  return cfg_load_file(cfg, path, err, errcap);
}

int cfg_load(wh_config *cfg, const char *explicit_file, char *err,
             size_t errcap) {
  if (explicit_file)
    return cfg_load_file(cfg, explicit_file, err, errcap);
  if (load_if_present(cfg, WH_SYSCONFDIR "/wirehook/wirehook.ini", err, errcap))
    return -1;
  const char *home = getenv("HOME");
  if (home && *home) {
    size_t n = strlen(home) + sizeof "/.wirehook/wirehook.ini";
    char *path = malloc(n);
    if (!path) {
      set_err(err, errcap, "out of memory; free some memory and retry");
      return -1;
    }
    snprintf(path, n, "%s/.wirehook/wirehook.ini", home);
    int rc = load_if_present(cfg, path, err, errcap);
    free(path);
    if (rc)
      return -1;
  }
  return load_if_present(cfg, "./wirehook.ini", err, errcap);
}

/* ---- lookups ------------------------------------------------------------- */

const char *cfg_plugin_value(const wh_config *cfg, const char *plugin,
                             const char *key) {
  const cfg_plugin_section *p = find_plugin(cfg, plugin);
  return p ? cfg_list_value(&p->keys, key) : NULL;
}

const char *cfg_env_value(const wh_config *cfg, const char *key) {
  return cfg_list_value(&cfg->env, key);
}

size_t cfg_max_line(void) {
  return MAX_LINE;
}

static bool in_keys(const char *const *keys, const char *key) {
  for (size_t i = 0; keys && keys[i]; i++)
    if (strcmp(keys[i], key) == 0)
      return true;
  return false;
}

int cfg_check_plugin_keys(const wh_config *cfg, const char *plugin,
                          const char *const *keys, char *err, size_t errcap) {
  const cfg_plugin_section *p = find_plugin(cfg, plugin);
  if (!p)
    return 0;
  for (size_t i = 0; i < p->keys.n; i++) {
    const cfg_kv *kv = &p->keys.items[i];
    if (in_keys(keys, kv->key))
      continue;
    char known[300] = "", kb[96];
    size_t len = 0;
    for (size_t k = 0; keys && keys[k] && len < sizeof known; k++)
      len += (size_t)snprintf(known + len, sizeof known - len, "%s%s",
                              k ? ", " : "", keys[k]);
    /* Names only: plugin values may be tokens. */
    set_err(err, errcap, "%s:%d: [plugin.%s] %s: unknown key; %s%s", kv->file,
            kv->line, p->name, shown(kb, sizeof kb, kv->key),
            len ? "use one of " : "the plugin takes no keys, remove it", known);
    return -1;
  }
  return 0;
}

int cfg_add_script(wh_config *cfg, const char *path) {
  char *s = strdup(path);
  char **v = s ? realloc(cfg->scripts, (cfg->n_scripts + 1) * sizeof *v) : NULL;
  if (!v) {
    free(s);
    return -1;
  }
  v[cfg->n_scripts++] = s;
  cfg->scripts = v;
  return 0;
}

bool cfg_list_equal(const cfg_list *a, const cfg_list *b) {
  if (a->n != b->n)
    return false;
  for (size_t i = 0; i < a->n; i++)
    if (strcmp(a->items[i].key, b->items[i].key) ||
        strcmp(a->items[i].value, b->items[i].value))
      return false;
  return true;
}

void cfg_take_scripting(wh_config *cfg, wh_config *from) {
  cfg_list env = cfg->env;
  cfg->env = from->env;
  from->env = env;
  char **scripts = cfg->scripts;
  size_t n = cfg->n_scripts;
  cfg->scripts = from->scripts;
  cfg->n_scripts = from->n_scripts;
  from->scripts = scripts;
  from->n_scripts = n;
}
