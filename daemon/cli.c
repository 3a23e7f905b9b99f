#include "config.h"

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "cli_control.h"
#include "daemon.h"
#include "datadir.h"
#include "duktape.h"
#include "log.h"
#include "pipeline.h"
#include "plugin.h"
#include "replay.h"
#include "store/item_store.h"
#include "jobs/scheduler.h"
#include "vm.h"

/* Everything a command that runs scripts needs, set up in order and torn
 * down in reverse. */
typedef struct runtime {
  wh_config cfg;
  plugin_host *plugins;
  vm *vm;
  int script_failures;
  char run_id[32];
} runtime;

typedef struct common_opts {
  const char *config;
  const char *interface;
  char *scripts[64];
  size_t n_scripts;
  bool json;
} common_opts;

static const char usage_main[] =
    "usage: wirehook COMMAND [options]\n"
    "\n"
    "Captures traffic, turns request/response pairs into items and runs\n"
    "JavaScript hooks on them.\n"
    "\n"
    "commands:\n"
    "  run              run the daemon in the foreground\n"
    "  replay FILE      run the scripts over a file of items (JSON lines)\n"
    "  plugins          list plugins, their versions and functions\n"
    "  scripts check FILE...\n"
    "                   check scripts for syntax errors\n"
    "\n"
    "commands for the running daemon (its control socket):\n"
    "  console          stream what the scripts print\n"
    "  query KFL        stored items matching a KFL query\n"
    "  jobs ACTION      list, run, remove, start or stop jobs\n"
    "  scripts reload   reload the scripts\n"
    "  status           counters, hooks, jobs, storage\n"
    "  version          print the version\n"
    "  help [COMMAND]   show help (also COMMAND --help)\n"
    "\n"
    "exit status: 0 ok, 1 runtime error, 2 usage or configuration error\n"
    "See wirehook(1).\n";

static const char usage_run[] =
    "usage: wirehook run [-c FILE] [-i IFACE] [-s SCRIPT]... [-v]\n"
    "\n"
    "Loads the configuration, the plugins and the scripts, captures on\n"
    "the interface (if one is set) and runs until SIGINT or SIGTERM.\n"
    "\n"
    "  -c, --config FILE   read only this configuration file\n"
    "  -i, --interface IF  capture on IF (\"any\" for all); overrides\n"
    "                      [capture] interface\n"
    "  -s, --script PATH   also load this script (or directory of *.js)\n"
    "  -v, --verbose       log debug messages\n"
    "  -h, --help          show this help\n";

static const char usage_replay[] =
    "usage: wirehook replay FILE [-c FILE] [-s SCRIPT]... [--json] [-v]\n"
    "\n"
    "Runs a capture file (pcap or pcapng) through the same pipeline as\n"
    "live capture, or a file of items (one JSON object a line, \"-\" for\n"
    "stdin), through the scripts, and exits.  The format is detected.\n"
    "\n"
    "  -c, --config FILE   read only this configuration file\n"
    "  -s, --script PATH   also load this script (or directory of *.js)\n"
    "      --json          print every item as one JSON line on stdout\n"
    "  -v, --verbose       log debug messages\n"
    "  -h, --help          show this help\n";

static const char usage_plugins[] =
    "usage: wirehook plugins [-c FILE]\n"
    "\n"
    "Lists the plugins of [plugins] dir, their versions and the functions\n"
    "each registers; refused plugins are listed with the reason.\n"
    "\n"
    "  -c, --config FILE   read only this configuration file\n"
    "  -h, --help          show this help\n";

static const char usage_scripts[] =
    "usage: wirehook scripts check FILE...\n"
    "       wirehook scripts reload [-c FILE] [-S PATH] [--json]\n"
    "\n"
    "check compiles each script without running it and reports syntax\n"
    "errors with file and line; exit status 1 if any script has an error.\n"
    "reload has the running daemon load its scripts again (see\n"
    "wirehook scripts reload --help).\n";

static const char usage_version[] = "usage: wirehook version\n";

static int usage_error(const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_error(const char *usage, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("wirehook: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputs("\n", stderr);
  va_end(ap);
  fputs(usage, stderr);
  return EXIT_USAGE;
}

/* Parses the options shared by run, replay and plugins.  Returns -1 when
 * the command should exit with *rc. */
static int parse_common(int argc, char **argv, const char *usage,
                        bool scripts_ok, bool json_ok, common_opts *o,
                        int *rc) {
  static const struct option longs[] = {
      {"config", required_argument, NULL, 'c'},
      {"script", required_argument, NULL, 's'},
      {"json", no_argument, NULL, 'J'},
      {"interface", required_argument, NULL, 'i'},
      {"verbose", no_argument, NULL, 'v'},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  int c;
  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "c:s:i:vh", longs, NULL)) != -1) {
    switch (c) {
    case 'c':
      o->config = optarg;
      break;
    case 's':
      if (!scripts_ok || o->n_scripts == 64) {
        *rc =
            usage_error(usage, "-s: %s",
                        scripts_ok ? "too many scripts" : "not accepted here");
        return -1;
      }
      o->scripts[o->n_scripts++] = optarg;
      break;
    case 'J':
      if (!json_ok) {
        *rc = usage_error(usage, "--json is not accepted here");
        return -1;
      }
      o->json = true;
      break;
    case 'i':
      if (usage != usage_run) {
        *rc = usage_error(usage, "-i is accepted by run only");
        return -1;
      }
      o->interface = optarg;
      break;
    case 'v':
      log_set_level(LOG_DEBUG_);
      break;
    case 'h':
      fputs(usage, stdout);
      *rc = EXIT_OK;
      return -1;
    default:
      *rc = usage_error(usage, "unknown option %s", argv[optind - 1]);
      return -1;
    }
  }
  return 0;
}

/* Loads configuration, data directory and plugins.  Returns an exit code
 * or -1 to continue. */
static int runtime_open(runtime *rt, const common_opts *o, bool need_datadir) {
  char err[1024];
  cfg_init(&rt->cfg);
  if (cfg_load(&rt->cfg, o->config, err, sizeof(err)) < 0) {
    fprintf(stderr, "wirehook: %s\n", err);
    return EXIT_USAGE;
  }
  for (size_t i = 0; i < o->n_scripts; i++)
    cfg_add_script(&rt->cfg, o->scripts[i]);
  if (need_datadir) {
    int rc = datadir_open_root(rt->cfg.data_dir);
    if (rc < 0) {
      fprintf(stderr,
              "wirehook: [storage] dir: %s: %s; create it or set another "
              "directory\n",
              rt->cfg.data_dir, strerror(-rc));
      return EXIT_USAGE;
    }
  }
  snprintf(rt->run_id, sizeof(rt->run_id), "%lld", (long long)time(NULL));
  rt->plugins = plugin_host_new(&rt->cfg, datadir_path(), rt->cfg.node_name,
                                rt->cfg.node_ip, rt->run_id);
  if (!rt->plugins)
    return EXIT_RUNTIME;
  if (plugin_host_load(rt->plugins) > 0)
    return EXIT_USAGE;
  return -1;
}

static int runtime_scripts(runtime *rt, vm_console_sink sink, void *udata) {
  vm_options vo = {.cfg = &rt->cfg,
                   .plugins = rt->plugins,
                   .hook_timeout_ms = rt->cfg.hook_timeout_ms,
                   .max_heap_mb = rt->cfg.max_heap_mb,
                   .console = sink,
                   .console_udata = udata};
  rt->vm = vm_new(&vo);
  if (!rt->vm) {
    log_error("cannot create the JavaScript heap: out of memory");
    return EXIT_RUNTIME;
  }
  rt->script_failures =
      vm_load_paths(rt->vm, rt->cfg.scripts, rt->cfg.n_scripts);
  return -1;
}

static void runtime_close(runtime *rt) {
  vm_free(rt->vm);
  plugin_host_free(rt->plugins);
  datadir_close_root();
  cfg_free(&rt->cfg);
}

/* ---- commands ---- */

/* SIGINT, SIGTERM and SIGHUP are blocked from the start in every thread:
 * one that comes while plugins and scripts load is kept, and the control
 * thread takes them from a signalfd. */
static void block_signals(sigset_t *old) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, old);
}

static int load_capture_opts(runtime *rt, const char *iface, pipeline_opts *po);

static int cmd_run(int argc, char **argv) {
  common_opts o = {0};
  runtime rt = {0};
  daemon_ctx d = {0};
  pipeline_opts po = {0};
  sigset_t old;
  int rc;
  if (parse_common(argc, argv, usage_run, true, false, &o, &rc) < 0)
    return rc;
  if (optind < argc)
    return usage_error(usage_run, "unexpected argument %s", argv[optind]);
  block_signals(&old);
  if ((rc = runtime_open(&rt, &o, true)) < 0 &&
      (rc = daemon_open(&d, &rt.cfg, rt.plugins, rt.run_id)) < 0 &&
      (rc = daemon_reload_from(&d, o.config, o.scripts, o.n_scripts)) < 0 &&
      (rc = runtime_scripts(&rt, daemon_console, &d)) < 0 &&
      (rc = load_capture_opts(&rt, o.interface, &po)) < 0)
    rc = daemon_loop(&d, &po);
  daemon_close(&d);
  runtime_close(&rt);
  sigprocmask(SIG_SETMASK, &old, NULL);
  return rc;
}

static int replay_items(runtime *rt, const char *file, bool json) {
  replay_stats st = {0};
  int rc = replay_jsonl(rt->vm, file, json ? stdout : NULL, &st) < 0
               ? EXIT_RUNTIME
               : EXIT_OK;
  log_debug("replayed %llu item(s), %llu bad line(s)",
            (unsigned long long)st.items, (unsigned long long)st.bad_lines);
  return rc == EXIT_OK && st.bad_lines ? EXIT_RUNTIME : rc;
}

/* Capture options with -i applied; exit code or -1 to go on. */
static int load_capture_opts(runtime *rt, const char *iface,
                             pipeline_opts *po) {
  char err[512];
  if (capture_opts_load(&po->cap, &rt->cfg, err, sizeof(err)) < 0) {
    fprintf(stderr, "wirehook: %s\n", err);
    return EXIT_USAGE;
  }
  if (iface)
    po->cap.interface = iface;
  po->cfg = &rt->cfg;
  po->vm = rt->vm;
  return -1;
}

static int replay_capture(runtime *rt, const char *file, bool json) {
  pipeline_opts po = {0};
  int rc = load_capture_opts(rt, NULL, &po);
  if (rc >= 0)
    return rc;
  char err[512];
  item_store_opts io;
  bool store;
  if (item_store_opts_load(&rt->cfg, &io, &store, err, sizeof(err)) < 0) {
    fprintf(stderr, "wirehook: %s\n", err);
    return EXIT_USAGE;
  }
  if (store && !(po.items = item_store_open(&io, err, sizeof(err)))) {
    fprintf(stderr, "wirehook: %s\n", err);
    return EXIT_RUNTIME;
  }
  po.file = file;
  po.json_out = json ? stdout : NULL;
  po.progress = isatty(STDERR_FILENO) && log_get_level() > LOG_DEBUG_;
  rc = pipeline_run(&po);
  item_store_close(po.items);
  return rc;
}

static int cmd_replay(int argc, char **argv) {
  common_opts o = {0};
  runtime rt = {0};
  int rc, err;
  if (parse_common(argc, argv, usage_replay, true, true, &o, &rc) < 0)
    return rc;
  if (optind != argc - 1)
    return usage_error(usage_replay, "replay needs exactly one FILE");
  const char *file = argv[optind];
  replay_format fmt =
      strcmp(file, "-") == 0 ? REPLAY_JSONL : replay_detect(file, &err);
  if (strcmp(file, "-") != 0 && err) {
    fprintf(stderr, "wirehook: %s: %s\n", file, strerror(err));
    return EXIT_USAGE;
  }
  if ((rc = runtime_open(&rt, &o, true)) < 0 &&
      (rc = runtime_scripts(&rt, NULL, NULL)) < 0) {
    rc = fmt == REPLAY_JSONL ? replay_items(&rt, file, o.json)
                             : replay_capture(&rt, file, o.json);
    if (rc == EXIT_OK && rt.script_failures)
      rc = EXIT_RUNTIME;
  }
  runtime_close(&rt);
  return rc;
}

static void print_plugin(const plugin_host *h, size_t i) {
  plugin_desc d = plugin_host_plugin_at(h, i);
  if (d.error) {
    printf("%-10s refused: %s (%s)\n", d.name ? d.name : "?", d.error, d.file);
    return;
  }
  printf("%-10s %-8s %s\n", d.name, d.version ? d.version : "",
         d.description ? d.description : "");
  printf("           %s\n", d.file);
  for (size_t f = 0; f < plugin_host_fn_count(h); f++) {
    const plugin_fn *fn = plugin_host_fn_at(h, f);
    if (!plugin_fn_of(fn, h, i))
      continue;
    printf("           %s(", fn->path);
    for (size_t p = 0; p < fn->n_params; p++)
      printf("%s%s%s", p ? ", " : "", fn->params[p].name,
             strchr("SJn", fn->params[p].kind) ? "?" : "");
    printf(")%s%s\n", fn->doc ? "  " : "", fn->doc ? fn->doc : "");
  }
}

static int cmd_plugins(int argc, char **argv) {
  common_opts o = {0};
  runtime rt = {0};
  int rc;
  if (parse_common(argc, argv, usage_plugins, false, false, &o, &rc) < 0)
    return rc;
  if (optind < argc)
    return usage_error(usage_plugins, "unexpected argument %s", argv[optind]);
  rc = runtime_open(&rt, &o, false);
  if (rt.plugins) {
    for (size_t i = 0; i < plugin_host_plugin_count(rt.plugins); i++)
      print_plugin(rt.plugins, i);
    if (plugin_host_plugin_count(rt.plugins) == 0)
      printf("no plugins in %s\n", rt.cfg.plugin_dir);
    rc = rc == EXIT_USAGE ? EXIT_RUNTIME : rc < 0 ? EXIT_OK : rc;
  }
  runtime_close(&rt);
  return rc;
}

static int cmd_scripts(int argc, char **argv) {
  if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    fputs(usage_scripts, stdout);
    return EXIT_OK;
  }
  if (argc >= 2 && !strcmp(argv[1], "reload"))
    return cmd_scripts_reload(argc, argv);
  if (argc < 2 || strcmp(argv[1], "check") != 0)
    return usage_error(usage_scripts, "scripts: unknown or missing action%s%s",
                       argc >= 2 ? " " : "", argc >= 2 ? argv[1] : "");
  if (argc < 3)
    return usage_error(usage_scripts, "scripts check needs at least one FILE");
  vm_options vo = {.hook_timeout_ms = 1000};
  vm *v = vm_new(&vo);
  int failures = 0;
  for (int i = 2; i < argc; i++) {
    char err[2048];
    if (vm_check_file(v, argv[i], err, sizeof(err)) < 0) {
      fprintf(stderr, "%s\n", err);
      failures++;
    } else {
      printf("%s: ok\n", argv[i]);
    }
  }
  vm_free(v);
  return failures ? EXIT_RUNTIME : EXIT_OK;
}

static int cmd_version(int argc, char **argv) {
  if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    fputs(usage_version, stdout);
    return EXIT_OK;
  }
  printf("wirehook %s (plugin ABI %d.%d, duktape %ld.%ld.%ld, hook time limit "
         "%s)\n",
         PACKAGE_VERSION, WH_ABI_MAJOR, WH_ABI_MINOR,
         (long)(DUK_VERSION / 10000), (long)(DUK_VERSION / 100 % 100),
         (long)(DUK_VERSION % 100),
         vm_timeout_enforced() ? "enforced" : "NOT enforced");
  return EXIT_OK;
}

static const struct {
  const char *name;
  int (*fn)(int, char **);
  const char *usage;
} commands[] = {
    {"run", cmd_run, usage_run},
    {"replay", cmd_replay, usage_replay},
    {"plugins", cmd_plugins, usage_plugins},
    {"scripts", cmd_scripts, usage_scripts},
    {"version", cmd_version, usage_version},
    {"console", cmd_console, usage_console},
    {"query", cmd_query, usage_query},
    {"jobs", cmd_jobs, usage_jobs},
    {"status", cmd_status, usage_status},
};

static int cmd_help(int argc, char **argv) {
  for (size_t i = 0; argc > 1 && i < sizeof(commands) / sizeof(*commands); i++)
    if (strcmp(argv[1], commands[i].name) == 0) {
      fputs(commands[i].usage, stdout);
      return EXIT_OK;
    }
  if (argc > 1)
    return usage_error(usage_main, "unknown command %s", argv[1]);
  fputs(usage_main, stdout);
  return EXIT_OK;
}

int cli_main(int argc, char **argv) {
  if (argc < 2)
    return usage_error(usage_main, "missing command");
  const char *cmd = argv[1];
  if (!strcmp(cmd, "help") || !strcmp(cmd, "-h") || !strcmp(cmd, "--help"))
    return cmd_help(argc - 1, argv + 1);
  if (!strcmp(cmd, "--version"))
    return cmd_version(1, argv + 1);
  for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
    if (strcmp(cmd, commands[i].name) == 0)
      return commands[i].fn(argc - 1, argv + 1);
  return usage_error(usage_main, "unknown command %s", cmd);
}
