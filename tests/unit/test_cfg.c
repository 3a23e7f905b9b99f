/* Unit tests for the configuration loader (daemon/cfg.c).  INI files are
 * written into a temporary directory; the system-wide file comes from
 * tests/unit/cfg/etc (WH_SYSCONFDIR points there for this test). */
#include "config.h"

#include "cfg.h"
#include "check.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[512]; /* the test's temporary directory */
static char err[1024];

/* Secret values used in configurations: no error may ever contain them. */
static const char *const secrets[] = {"s3cr3t-inline-VALUE", "s3cr3t-from-FILE",
                                      "hunter2-plugin"};

static void no_secret(const char *msg, int line) {
  for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
    if (strstr(msg, secrets[i])) {
      fprintf(stderr, "%s:%d: message leaks a secret: %s\n", __FILE__, line,
              msg);
      check_failures++;
    }
}

/* Returns a path under tmp; the result lives until the next 8 calls. */
static const char *in_tmp(const char *name) {
  static char bufs[8][PATH_MAX];
  static int next;
  char *b = bufs[next++ % 8];
  snprintf(b, PATH_MAX, "%s/%s", tmp, name);
  return b;
}

static const char *write_file(const char *name, const char *content,
                              size_t len) {
  const char *path = in_tmp(name);
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    exit(99);
  }
  fwrite(content, 1, len, f);
  fclose(f);
  return path;
}

static const char *write_ini(const char *name, const char *content) {
  return write_file(name, content, strlen(content));
}

static void make_dir(const char *name) {
  if (mkdir(in_tmp(name), 0700) != 0 && errno != EEXIST) {
    perror(name);
    exit(99);
  }
}

static bool contains(const char *hay, const char *needle) {
  return strstr(hay, needle) != NULL;
}

#define CHECK_HAS(msg, needle)                                                 \
  do {                                                                         \
    if (!contains((msg), (needle))) {                                          \
      fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__,     \
              __LINE__, (msg), (needle));                                      \
      check_failures++;                                                        \
    }                                                                          \
  } while (0)

/* Loads `content` as t.ini and expects an error on `line` mentioning
 * `needle`; the message is left in err. */
static void expect_error_at(const char *content, int line, const char *needle,
                            int caller) {
  const char *path = write_ini("t.ini", content);
  wh_config cfg;
  cfg_init(&cfg);
  err[0] = '\0';
  int rc = cfg_load_file(&cfg, path, err, sizeof err);
  cfg_free(&cfg);
  char where[PATH_MAX + 32];
  snprintf(where, sizeof where, "%s:%d: ", path, line);
  if (rc != -1 || strncmp(err, where, strlen(where)) != 0 ||
      !contains(err, needle) || strchr(err, '\n')) {
    fprintf(stderr,
            "%s:%d: rc %d, error \"%s\", expected \"%s...%s...\" on one "
            "line\n",
            __FILE__, caller, rc, err, where, needle);
    check_failures++;
  }
  no_secret(err, caller);
}
#define EXPECT_ERROR(content, line, needle)                                    \
  expect_error_at(content, line, needle, __LINE__)

static int load_one(wh_config *cfg, const char *content) {
  const char *path = write_ini("t.ini", content);
  cfg_init(cfg);
  err[0] = '\0';
  int rc = cfg_load_file(cfg, path, err, sizeof err);
  if (rc)
    fprintf(stderr, "unexpected error: %s\n", err);
  return rc;
}

/* ---- tests ------------------------------------------------------------- */

static void test_defaults(void) {
  wh_config cfg;
  cfg_init(&cfg);
  char host[256] = "";
  gethostname(host, sizeof host);
  CHECK_STR(cfg.data_dir, "/var/lib/wirehook");
  CHECK_INT(cfg.n_scripts, 0);
  CHECK_INT(cfg.hook_timeout_ms, 1000);
  CHECK(!cfg.watch);
  CHECK_INT(cfg.env.n, 0);
  CHECK_STR(cfg.plugin_dir, "/p");
  CHECK(cfg.load_all);
  CHECK_INT(cfg.n_load, 0);
  CHECK_INT(cfg.n_plugins, 0);
  CHECK_STR(cfg.node_name, host[0] ? host : "localhost");
  CHECK_STR(cfg.node_ip, "");
  CHECK_STR(cfg.node_worker, "");
  CHECK_STR(cfg.control_socket, "/run/wirehook/control.sock");
  CHECK(cfg.control_group == NULL);
  CHECK_INT(cfg.capture.n + cfg.resolve.n + cfg.storage.n, 0);
  CHECK_INT(cfg.scripting_extra.n + cfg.control_extra.n, 0);
  CHECK(cfg_env_value(&cfg, "X") == NULL);
  CHECK(cfg_plugin_value(&cfg, "kfl", "x") == NULL);
  CHECK_INT(cfg_max_line(), 199);
  cfg_free(&cfg);
}

static const char *const capture_keys[] = {"interface",
                                           "filter",
                                           "snaplen",
                                           "promiscuous",
                                           "buffer_size",
                                           "immediate",
                                           "max_body",
                                           "stats_interval",
                                           "queue_size",
                                           "max_flows",
                                           "max_flow_bytes",
                                           "max_total_bytes",
                                           "http_timeout",
                                           "dns_timeout",
                                           "dns_port",
                                           "fragment_timeout",
                                           "max_fragments",
                                           "flow_timeout",
                                           NULL};

static void test_every_section(void) {
  char ini[4096] = "\xEF\xBB\xBF; a comment\n# another\n[capture]\r\n";
  for (size_t i = 0; capture_keys[i]; i++)
    snprintf(ini + strlen(ini), sizeof ini - strlen(ini), "%s = v%zu\n",
             capture_keys[i], i);
  strcat(ini, "[storage]\n"
              "dir = /srv/wh\n"
              "max_size = 10G\n"
              "max_age = 7d\n"
              "[scripting]\n"
              "scripts = a.js, dir/  b.js,c.js\n"
              "hook_timeout_ms = 250 ; inline comment\n"
              "watch = yes\n"
              "queue_size = 4096\n"
              "[scripting.env]\n"
              "  SLACK_TOKEN = s3cr3t-inline-VALUE\n"
              "not an identifier = ok\n"
              "[plugins]\n"
              "dir = /opt/plugins\n"
              "load = file, kfl\n"
              "[plugin.kfl]\n"
              "max = 3\n"
              "[plugin.s3_store]\n"
              "token = hunter2-plugin\n"
              "[control]\n"
              "socket = /tmp/wh.sock\n"
              "group = wirehook\n"
              "max_clients = 8\n"
              "timeout_ms = 500\n"
              "[resolve]\n"
              "hosts = /etc/hosts\n"
              "learn_dns = true\n"
              "[node]\n"
              "name = probe-1\n"
              "ip = 192.0.2.7\n"
              "worker = [2001:db8::1]:9000\n");
  wh_config cfg;
  CHECK_INT(load_one(&cfg, ini), 0);
  CHECK_INT(cfg.capture.n, 18);
  for (size_t i = 0; capture_keys[i]; i++) {
    char want[16];
    snprintf(want, sizeof want, "v%zu", i);
    CHECK_STR(cfg_list_value(&cfg.capture, capture_keys[i]), want);
  }
  CHECK_INT(cfg_list_find(&cfg.capture, "interface")->line, 4);
  CHECK_STR(cfg.data_dir, "/srv/wh");
  CHECK_STR(cfg_list_value(&cfg.storage, "max_size"), "10G");
  CHECK_STR(cfg_list_value(&cfg.storage, "max_age"), "7d");
  CHECK_INT(cfg.n_scripts, 4);
  if (cfg.n_scripts == 4) {
    CHECK_STR(cfg.scripts[0], "a.js");
    CHECK_STR(cfg.scripts[1], "dir/");
    CHECK_STR(cfg.scripts[2], "b.js");
    CHECK_STR(cfg.scripts[3], "c.js");
  }
  CHECK_INT(cfg.hook_timeout_ms, 250);
  CHECK(cfg.watch);
  CHECK_STR(cfg_list_value(&cfg.scripting_extra, "queue_size"), "4096");
  CHECK_STR(cfg_env_value(&cfg, "SLACK_TOKEN"), "s3cr3t-inline-VALUE");
  CHECK_STR(cfg_env_value(&cfg, "not an identifier"), "ok");
  CHECK_STR(cfg.plugin_dir, "/opt/plugins");
  CHECK(!cfg.load_all);
  CHECK_INT(cfg.n_load, 2);
  if (cfg.n_load == 2) {
    CHECK_STR(cfg.load[0], "file");
    CHECK_STR(cfg.load[1], "kfl");
  }
  CHECK_INT(cfg.n_plugins, 2);
  CHECK_STR(cfg_plugin_value(&cfg, "kfl", "max"), "3");
  CHECK_STR(cfg_plugin_value(&cfg, "s3_store", "token"), "hunter2-plugin");
  CHECK(cfg_plugin_value(&cfg, "kfl", "token") == NULL);
  CHECK_STR(cfg.control_socket, "/tmp/wh.sock");
  CHECK_STR(cfg.control_group, "wirehook");
  CHECK_STR(cfg_list_value(&cfg.control_extra, "max_clients"), "8");
  CHECK_STR(cfg_list_value(&cfg.control_extra, "timeout_ms"), "500");
  CHECK_STR(cfg_list_value(&cfg.resolve, "hosts"), "/etc/hosts");
  CHECK_STR(cfg_list_value(&cfg.resolve, "learn_dns"), "true");
  CHECK_STR(cfg.node_name, "probe-1");
  CHECK_STR(cfg.node_ip, "192.0.2.7");
  CHECK_STR(cfg.node_worker, "[2001:db8::1]:9000");
  cfg_free(&cfg);
}

static void test_values(void) {
  static const struct {
    const char *v;
    bool want;
  } bools[] = {{"true", 1}, {"false", 0}, {"yes", 1}, {"no", 0},  {"1", 1},
               {"0", 0},    {"on", 1},    {"off", 0}, {"TRUE", 1}};
  for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++) {
    char ini[64];
    snprintf(ini, sizeof ini, "[scripting]\nwatch = %s\n", bools[i].v);
    wh_config cfg;
    CHECK_INT(load_one(&cfg, ini), 0);
    CHECK_INT(cfg.watch, bools[i].want);
    cfg_free(&cfg);
  }
  wh_config cfg;
  CHECK_INT(load_one(&cfg, "[scripting]\nhook_timeout_ms = 3600000\n"), 0);
  CHECK_INT(cfg.hook_timeout_ms, 3600000);
  cfg_free(&cfg);
  CHECK_INT(load_one(&cfg, "[scripting]\nhook_timeout_ms = 1\n"), 0);
  CHECK_INT(cfg.hook_timeout_ms, 1);
  cfg_free(&cfg);

  /* load: "all" alone means every plugin; an empty list loads none. */
  CHECK_INT(load_one(&cfg, "[plugins]\nload = all\n"), 0);
  CHECK(cfg.load_all);
  CHECK_INT(cfg.n_load, 0);
  cfg_free(&cfg);
  CHECK_INT(load_one(&cfg, "[plugins]\nload =\n"), 0);
  CHECK(!cfg.load_all);
  CHECK_INT(cfg.n_load, 0);
  cfg_free(&cfg);

  /* An empty scripts list is allowed; -s paths are appended. */
  CHECK_INT(load_one(&cfg, "[scripting]\nscripts = x.js\n"), 0);
  CHECK_INT(cfg_add_script(&cfg, "cli.js"), 0);
  CHECK_INT(cfg.n_scripts, 2);
  if (cfg.n_scripts == 2)
    CHECK_STR(cfg.scripts[1], "cli.js");
  cfg_free(&cfg);

  /* An indented line is a line of its own, not a continuation of the
   * previous value (inih's multi-line values are off). */
  CHECK_INT(load_one(&cfg, "[node]\nname = a\n  ip = 10.0.0.1\n\tworker = "
                           "h:1\n"),
            0);
  CHECK_STR(cfg.node_name, "a");
  CHECK_STR(cfg.node_ip, "10.0.0.1");
  CHECK_STR(cfg.node_worker, "h:1");
  cfg_free(&cfg);

  /* An empty section and repeated section headers are fine. */
  CHECK_INT(load_one(&cfg, "[node]\n[capture]\nsnaplen = 1\n[capture]\n"
                           "filter = tcp\n"),
            0);
  CHECK_INT(cfg.capture.n, 2);
  cfg_free(&cfg);
}

static void test_errors(void) {
  wh_config cfg;
  EXPECT_ERROR("[capture]\nsnaplen = 1\n\n[bogus]\nx = 1\n", 4,
               "[bogus]: unknown section; use [capture]");
  /* An unknown section is refused even when it has no keys. */
  EXPECT_ERROR("[node]\nname = a\n[empty]\n", 3, "[empty]: unknown section");
  EXPECT_ERROR("[Plugin.x]\n", 1, "unknown section");
  EXPECT_ERROR("[plugin.Bad-Name]\na = 1\n", 1,
               "[plugin.Bad-Name]: a plugin name has only lowercase");
  EXPECT_ERROR("[plugin.]\n", 1, "plugin name");
  /* 49 characters is inih's limit for a section name. */
  EXPECT_ERROR("[plugin.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n", 1,
               "longer than 49 characters");
  CHECK_INT(load_one(&cfg,
                     "[plugin.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n"
                     "k = v\n"),
            0);
  CHECK_STR(
      cfg_plugin_value(&cfg, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "k"),
      "v");
  cfg_free(&cfg);
  EXPECT_ERROR("[capture]\ninterface = eth0\nsnap_len = 5\n", 3,
               "[capture] snap_len: unknown key; known keys are interface, "
               "filter");
  EXPECT_ERROR("[scripting]\nhook_timeout_ms = abc\n", 2,
               "[scripting] hook_timeout_ms: \"abc\" is not a number of "
               "milliseconds (1..3600000)");
  EXPECT_ERROR("[scripting]\nhook_timeout_ms = 0\n", 2, "hook_timeout_ms");
  EXPECT_ERROR("[scripting]\nhook_timeout_ms = 3600001\n", 2, "3600001");
  EXPECT_ERROR("[scripting]\nhook_timeout_ms = -5\n", 2, "\"-5\"");
  EXPECT_ERROR("[scripting]\nhook_timeout_ms = 99999999999999999999999\n", 2,
               "is not a number");
  EXPECT_ERROR("[scripting]\nwatch = maybe\n", 2,
               "[scripting] watch: \"maybe\" is not a boolean; use true or "
               "false");
  EXPECT_ERROR("[node]\nname = a\n\n[node]\nname = b\n", 5,
               "[node] name: name is set twice in this file (first on line "
               "2)");
  EXPECT_ERROR("[plugin.kfl]\nx = 1\nx = 2\n", 3, "set twice");
  EXPECT_ERROR("key = 1\n", 1, "key: key outside a section");
  EXPECT_ERROR("[node]\nthis line has no equals sign\n", 2,
               "expected [section] or key = value");
  EXPECT_ERROR("[node\n", 1, "expected [section]");
  EXPECT_ERROR("[node]\n= value\n", 2, "no key before '='");
  /* The first error wins, whichever part of the loader finds it. */
  EXPECT_ERROR("[node]\nsyntax error\nbogus = 1\n", 2, "expected");
  EXPECT_ERROR("[node]\nbogus = 1\nsyntax error\n", 2, "unknown key");
  EXPECT_ERROR("[storage]\ndir =\n", 2, "[storage] dir: empty value");
  EXPECT_ERROR("[plugins]\nload = all, kfl\n", 2, "\"all\" cannot be");
  EXPECT_ERROR("[plugins]\nload = kfl, ../x\n", 2, "\"../x\" is not a plugin");
  EXPECT_ERROR("[node]\nip = 300.1.1.1\n", 2, "not an IP address");
  EXPECT_ERROR("[node]\nworker = host\n", 2, "not HOST:PORT");
  EXPECT_ERROR("[node]\nworker = host:99999\n", 2, "not HOST:PORT");
  EXPECT_ERROR("[node]\nworker = ::1:80\n", 2, "not HOST:PORT");
  char sock[256] = "[control]\nsocket = /";
  memset(sock + strlen(sock), 'a', 107); /* 108 bytes with the slash */
  strcat(sock, "\n");
  EXPECT_ERROR(sock, 2, "longer than 107 bytes");
  sock[strlen(sock) - 2] = '\n'; /* 107 bytes fit */
  sock[strlen(sock) - 1] = '\0';
  CHECK_INT(load_one(&cfg, sock), 0);
  cfg_free(&cfg);

  /* A file that does not exist: the message names it. */
  cfg_init(&cfg);
  const char *missing = in_tmp("missing.ini");
  CHECK_INT(cfg_load_file(&cfg, missing, err, sizeof err), -1);
  CHECK_HAS(err, missing);
  CHECK_HAS(err, "No such file");
  cfg_free(&cfg);
}

static void test_nul_in_file(void) {
  /* strlen-based helpers cannot write a NUL; write it byte-exact. */
  static const char ini[] = "[capture]\nfilter = a\0b\n";
  const char *path = write_file("nul.ini", ini, sizeof ini - 1);
  wh_config cfg;
  cfg_init(&cfg);
  CHECK_INT(cfg_load_file(&cfg, path, err, sizeof err), -1);
  CHECK_HAS(err, ":2: the line contains a NUL byte");
  cfg_free(&cfg);
}

static void test_env_errors_hide_values(void) {
  EXPECT_ERROR("[scripting.env]\nTOKEN = s3cr3t-inline-VALUE\n"
               "TOKEN = s3cr3t-inline-VALUE\n",
               3, "[scripting.env] TOKEN: TOKEN is set twice");
  /* KEY and KEY_FILE name the same key. */
  write_ini("secret.txt", "s3cr3t-from-FILE\n");
  EXPECT_ERROR("[scripting.env]\nTOKEN = s3cr3t-inline-VALUE\n"
               "TOKEN_FILE = secret.txt\n",
               3, "[scripting.env] TOKEN_FILE: TOKEN is set twice");
  EXPECT_ERROR("[scripting.env]\nTOKEN_FILE = secret.txt\n"
               "TOKEN = s3cr3t-inline-VALUE\n",
               3, "first on line 2");
  EXPECT_ERROR("[scripting.env]\nA = s3cr3t-inline-VALUE\n_FILE = x\n", 3,
               "the name before _FILE is empty");
  EXPECT_ERROR("[scripting.env]\nA\tB = s3cr3t-inline-VALUE\n", 2,
               "A?B: the key contains a control character");
  /* Errors after secrets were read must not show them either. */
  EXPECT_ERROR("[scripting.env]\nA = s3cr3t-inline-VALUE\n"
               "B_FILE = secret.txt\n[scripting]\nwatch = s3cr3t\n",
               5, "\"s3cr3t\" is not a boolean");
}

static void test_key_file(void) {
  make_dir("sub");
  write_ini("sub/rel.txt", "s3cr3t-from-FILE\n");
  write_ini("sub/crlf.txt", "line1\r\n");
  write_ini("sub/two.txt", "x\n\n");
  write_ini("sub/none.txt", "nonewline");
  const char *abs_path = write_ini("abs.txt", "absolute\n");
  char ini[PATH_MAX + 512];
  snprintf(ini, sizeof ini,
           "[scripting.env]\n"
           "REL_FILE = rel.txt\n"
           "CRLF_FILE = crlf.txt\n"
           "TWO_FILE = two.txt\n"
           "NONE_FILE = none.txt\n"
           "ABS_FILE = %s\n"
           "PLAIN = v\n",
           abs_path);
  const char *path = write_ini("sub/k.ini", ini);
  wh_config cfg;
  cfg_init(&cfg);
  CHECK_INT(cfg_load_file(&cfg, path, err, sizeof err), 0);
  CHECK_STR(cfg_env_value(&cfg, "REL"), "s3cr3t-from-FILE");
  CHECK_STR(cfg_env_value(&cfg, "CRLF"), "line1");
  CHECK_STR(cfg_env_value(&cfg, "TWO"), "x\n");
  CHECK_STR(cfg_env_value(&cfg, "NONE"), "nonewline");
  CHECK_STR(cfg_env_value(&cfg, "ABS"), "absolute");
  CHECK_STR(cfg_env_value(&cfg, "PLAIN"), "v");
  CHECK(cfg_env_value(&cfg, "REL_FILE") == NULL);
  const cfg_kv *kv = cfg_list_find(&cfg.env, "REL");
  CHECK(kv && kv->line == 2 && strcmp(kv->file, path) == 0);
  cfg_free(&cfg);

  /* A missing file: file, line, key and resolved path, never content. */
  EXPECT_ERROR("[scripting.env]\nA = s3cr3t-inline-VALUE\n"
               "GONE_FILE = nothere.txt\n",
               3, "[scripting.env] GONE_FILE: cannot read \"");
  CHECK_HAS(err, in_tmp("nothere.txt"));
  CHECK_HAS(err, "No such file or directory");
  /* A directory is not readable as a value. */
  EXPECT_ERROR("[scripting.env]\nD_FILE = sub\n", 2, "D_FILE: cannot read");
  /* A NUL byte in the file: refused without showing the content. */
  write_file("nul.txt", "s3cr3t-from-FILE\0x", 18);
  EXPECT_ERROR("[scripting.env]\nN_FILE = nul.txt\n", 2, "contains a NUL byte");
  EXPECT_ERROR("[scripting.env]\nE_FILE =\n", 2, "E_FILE: empty path");

  /* Larger than 1 MiB. */
  size_t big = 1024 * 1024 + 1;
  char *data = malloc(big);
  memset(data, 'a', big);
  write_file("big.txt", data, big);
  free(data);
  EXPECT_ERROR("[scripting.env]\nBIG_FILE = big.txt\n", 2, "larger than 1 MiB");
  /* Exactly 1 MiB is fine. */
  data = malloc(big - 1);
  memset(data, 'b', big - 1);
  write_file("mib.txt", data, big - 1);
  free(data);
  CHECK_INT(load_one(&cfg, "[scripting.env]\nM_FILE = mib.txt\n"), 0);
  CHECK_INT(strlen(cfg_env_value(&cfg, "M") ? cfg_env_value(&cfg, "M") : ""),
            big - 1);
  cfg_free(&cfg);
}

/* A line of `n` characters "K = sss..." in [scripting.env]. */
static void long_line(char *buf, size_t n) {
  strcpy(buf, "[scripting.env]\nK = ");
  size_t head = strlen("K = ");
  size_t off = strlen(buf);
  memset(buf + off, 'x', n - head);
  memcpy(buf + off, "s3cr3t-inline-VALUE", 19);
  strcpy(buf + off + n - head, "\nAFTER = 1\n");
}

static void test_long_line(void) {
  char ini[512];
  wh_config cfg;
  long_line(ini, 199); /* the longest line inih reads whole */
  CHECK_INT(load_one(&cfg, ini), 0);
  CHECK_INT(strlen(cfg_env_value(&cfg, "K") ? cfg_env_value(&cfg, "K") : ""),
            195);
  CHECK_STR(cfg_env_value(&cfg, "AFTER"), "1");
  cfg_free(&cfg);

  long_line(ini, 200);
  EXPECT_ERROR(ini, 2,
               "line is longer than 199 characters (inih's limit); put the "
               "value in a file and use KEY_FILE = path");
  /* The limit is found before parsing: an error later in the file is not
   * reported first, and a long line anywhere counts. */
  EXPECT_ERROR("[node]\nbogus = 1\n; "
               "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
               "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
               "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
               "xxxxxxxxxxxxxxxxxxxxxx\n",
               3, "line is longer than 199");
  /* CRLF line ends do not count against the limit. */
  long_line(ini, 199);
  char crlf[600];
  snprintf(crlf, sizeof crlf, "[scripting.env]\r\n%.199s\r\n",
           ini + strlen("[scripting.env]\n"));
  CHECK_INT(load_one(&cfg, crlf), 0);
  cfg_free(&cfg);
}

static void test_override_files(void) {
  const char *a = write_ini("a.ini", "[scripting]\n"
                                     "scripts = one.js two.js\n"
                                     "hook_timeout_ms = 100\n"
                                     "[scripting.env]\n"
                                     "KEEP = a\n"
                                     "TOKEN = old\n"
                                     "[capture]\n"
                                     "snaplen = 100\n"
                                     "filter = tcp\n"
                                     "[plugin.kfl]\n"
                                     "x = 1\n"
                                     "y = 1\n");
  const char *b = write_ini("b.ini", "[capture]\n"
                                     "snaplen = 200\n"
                                     "[scripting]\n"
                                     "scripts = three.js\n"
                                     "[scripting.env]\n"
                                     "TOKEN = new\n"
                                     "[plugin.kfl]\n"
                                     "y = 2\n");
  wh_config cfg;
  cfg_init(&cfg);
  CHECK_INT(cfg_load_file(&cfg, a, err, sizeof err), 0);
  CHECK_INT(cfg_load_file(&cfg, b, err, sizeof err), 0);
  CHECK_INT(cfg.n_scripts, 1);
  if (cfg.n_scripts == 1)
    CHECK_STR(cfg.scripts[0], "three.js");
  CHECK_INT(cfg.hook_timeout_ms, 100);
  CHECK_STR(cfg_env_value(&cfg, "KEEP"), "a");
  CHECK_STR(cfg_env_value(&cfg, "TOKEN"), "new");
  CHECK_INT(cfg.env.n, 2);
  CHECK_INT(cfg.capture.n, 2);
  const cfg_kv *kv = cfg_list_find(&cfg.capture, "snaplen");
  CHECK(kv != NULL);
  if (kv) {
    CHECK_STR(kv->value, "200");
    CHECK_STR(kv->file, b);
    CHECK_INT(kv->line, 2);
  }
  CHECK_STR(cfg_list_value(&cfg.capture, "filter"), "tcp");
  CHECK_STR(cfg_plugin_value(&cfg, "kfl", "x"), "1");
  CHECK_STR(cfg_plugin_value(&cfg, "kfl", "y"), "2");
  CHECK_INT(cfg.n_plugins, 1);
  cfg_free(&cfg);
}

/* cfg_load: the system file (tests/unit/cfg/etc), then $HOME, then ./ */
static void test_load_order(void) {
  char old_cwd[PATH_MAX];
  const char *old_home = getenv("HOME");
  char *saved_home = old_home ? strdup(old_home) : NULL;
  if (!getcwd(old_cwd, sizeof old_cwd)) {
    perror("getcwd");
    exit(99);
  }
  make_dir("home");
  make_dir("home/.wirehook");
  make_dir("cwd");
  write_ini("home/.wirehook/wirehook.ini", "[scripting]\n"
                                           "hook_timeout_ms = 200\n"
                                           "watch = on\n"
                                           "[node]\nname = from-home\n");
  write_ini("cwd/wirehook.ini", "[scripting]\nhook_timeout_ms = 300\n");
  setenv("HOME", in_tmp("home"), 1);
  if (chdir(in_tmp("cwd")) != 0) {
    perror("chdir");
    exit(99);
  }

  wh_config cfg;
  cfg_init(&cfg);
  CHECK_INT(cfg_load(&cfg, NULL, err, sizeof err), 0);
  CHECK_STR(cfg.data_dir, "/from/system"); /* only the system file sets it */
  CHECK_STR(cfg.node_name, "from-home");   /* home overrides system */
  CHECK(cfg.watch);
  CHECK_INT(cfg.hook_timeout_ms, 300); /* ./ overrides home */
  cfg_free(&cfg);

  /* An error in a later file names that file. */
  write_ini("cwd/wirehook.ini", "[scripting]\nwatch = perhaps\n");
  cfg_init(&cfg);
  CHECK_INT(cfg_load(&cfg, NULL, err, sizeof err), -1);
  CHECK_HAS(err, "./wirehook.ini:2: [scripting] watch");
  cfg_free(&cfg);

  /* With an explicit file only that file is read. */
  const char *only = write_ini("only.ini", "[node]\nip = 10.0.0.1\n");
  cfg_init(&cfg);
  CHECK_INT(cfg_load(&cfg, only, err, sizeof err), 0);
  CHECK_STR(cfg.node_ip, "10.0.0.1");
  CHECK_STR(cfg.data_dir, "/var/lib/wirehook");
  CHECK_INT(cfg.hook_timeout_ms, 1000);
  cfg_free(&cfg);

  /* A missing explicit file is an error. */
  cfg_init(&cfg);
  CHECK_INT(cfg_load(&cfg, in_tmp("nope.ini"), err, sizeof err), -1);
  CHECK_HAS(err, "nope.ini");
  cfg_free(&cfg);

  /* Missing optional files are skipped. */
  setenv("HOME", in_tmp("cwd/none"), 1);
  unlink("wirehook.ini");
  cfg_init(&cfg);
  CHECK_INT(cfg_load(&cfg, NULL, err, sizeof err), 0);
  CHECK_STR(cfg.data_dir, "/from/system");
  CHECK_INT(cfg.hook_timeout_ms, 100);
  cfg_free(&cfg);

  if (chdir(old_cwd) != 0)
    perror("chdir");
  if (saved_home)
    setenv("HOME", saved_home, 1);
  free(saved_home);
}

static void test_plugin_keys(void) {
  const char *path = write_ini("p.ini", "[plugin.slack]\n"
                                        "channel = ops\n"
                                        "token = hunter2-plugin\n"
                                        "\n"
                                        "tokn = hunter2-plugin\n");
  wh_config cfg;
  cfg_init(&cfg);
  CHECK_INT(cfg_load_file(&cfg, path, err, sizeof err), 0);
  static const char *const all[] = {"channel", "token", "tokn", NULL};
  static const char *const declared[] = {"channel", "token", NULL};
  static const char *const none[] = {NULL};
  CHECK_INT(cfg_check_plugin_keys(&cfg, "slack", all, err, sizeof err), 0);
  CHECK_INT(cfg_check_plugin_keys(&cfg, "other", none, err, sizeof err), 0);
  CHECK_INT(cfg_check_plugin_keys(&cfg, "slack", declared, err, sizeof err),
            -1);
  char want[PATH_MAX + 64];
  snprintf(want, sizeof want,
           "%s:5: [plugin.slack] tokn: unknown key; use one of channel, "
           "token",
           path);
  CHECK_STR(err, want);
  no_secret(err, __LINE__);
  CHECK_INT(cfg_check_plugin_keys(&cfg, "slack", none, err, sizeof err), -1);
  CHECK_HAS(err, ":2: [plugin.slack] channel: unknown key; the plugin takes "
                 "no keys");
  no_secret(err, __LINE__);
  cfg_free(&cfg);
}

static void test_small_err_buffer(void) {
  const char *path = write_ini("t.ini", "[bogus]\n");
  wh_config cfg;
  char small[8];
  cfg_init(&cfg);
  CHECK_INT(cfg_load_file(&cfg, path, small, sizeof small), -1);
  CHECK_INT(strlen(small), 7);
  CHECK_INT(cfg_load_file(&cfg, path, NULL, 0), -1);
  cfg_free(&cfg);
}

static int remove_one(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw) {
  if (remove(path) != 0)
    perror(path);
  return 0;
}

/* Removes the temporary directory (it only holds what the tests wrote). */
static void cleanup(void) {
  nftw(tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void) {
  const char *base = getenv("TMPDIR");
  int n = snprintf(tmp, sizeof tmp, "%s/wh_cfg_XXXXXX",
                   base && *base ? base : "/tmp");
  if (n < 0 || (size_t)n >= sizeof tmp || !mkdtemp(tmp)) {
    perror("mkdtemp");
    return 99;
  }
  test_defaults();
  test_every_section();
  test_values();
  test_errors();
  test_nul_in_file();
  test_env_errors_hide_values();
  test_key_file();
  test_long_line();
  test_override_files();
  test_load_order();
  test_plugin_keys();
  test_small_err_buffer();
  cleanup();
  return CHECK_DONE();
}
