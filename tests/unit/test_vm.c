/* Unit test of the JavaScript runtime (daemon/vm*.c) through its public
 * API: the onItemQueried pipeline (runtime.md §3), onPacketCaptured,
 * vm_has_hook, hook statistics, load failures, per-script isolation and
 * the time limit (§2, §6).  Console lines are captured through
 * vm_options.console and compared whole. */
#include "config.h"

#include "check.h"
#include "strbuf.h"
#include "vm.h"

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- fixtures ---- */

static char top[PATH_MAX]; /* the test's temporary directory */

/* Captured console lines, each followed by "\n". */
typedef struct sink {
  strbuf text;
  int mismatched; /* is_error disagreed with the line's ":ERROR]" tag */
} sink;

static void on_line(void *udata, bool is_error, const char *line, size_t len) {
  sink *s = udata;
  const char *br = memchr(line, ']', len);
  bool tagged = br && br - line >= 6 && memcmp(br - 6, ":ERROR", 6) == 0;
  if (tagged != is_error || memchr(line, '\0', len))
    s->mismatched++;
  sb_append(&s->text, line, len);
  sb_append(&s->text, "\n", 1);
}

/* Compares the lines captured since the last check, then forgets them. */
#define CHECK_LINES(s, expected)                                               \
  do {                                                                         \
    CHECK_STR(sb_str(&(s)->text), (expected));                                 \
    CHECK_INT((s)->mismatched, 0);                                             \
    sb_reset(&(s)->text);                                                      \
    (s)->mismatched = 0;                                                       \
  } while (0)

static vm *new_vm(sink *s, unsigned timeout_ms) {
  vm_options o = {.cfg = NULL,
                  .plugins = NULL,
                  .hook_timeout_ms = timeout_ms,
                  .console = on_line,
                  .console_udata = s};
  vm *v = vm_new(&o);
  CHECK(v != NULL);
  if (!v)
    exit(1);
  return v;
}

/* top/name into out (PATH_MAX bytes); the test's names are short, and a
 * cut path would fail its checks. */
static void in_top(char *out, const char *name) {
  if (snprintf(out, PATH_MAX, "%s/%s", top, name) >= PATH_MAX)
    out[0] = '\0';
}

/* Writes top/name with src; returns its path (valid until the next call). */
static const char *script_file(const char *name, const char *src) {
  static char path[PATH_MAX];
  in_top(path, name);
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  if (f) {
    fputs(src, f);
    fclose(f);
  }
  return path;
}

/* Writes and loads a script that must load. */
static void load_ok(vm *v, const char *name, const char *src) {
  size_t before = vm_script_count(v);
  int rc = vm_load_file(v, script_file(name, src));
  if (rc != 0)
    fprintf(stderr, "loading %s failed\n", name);
  CHECK_INT(rc, 0);
  CHECK_INT(vm_script_count(v), before + 1);
}

static json_t *parse(const char *text) {
  json_error_t err;
  json_t *j = json_loads(text, 0, &err);
  if (!j)
    fprintf(stderr, "bad test JSON: %s: %s\n", text, err.text);
  CHECK(j != NULL);
  return j;
}

/* Sorted compact JSON; owned by the caller. */
static char *dump(const json_t *j) {
  char *s =
      j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  return s ? s : strdup("(null)");
}

#define CHECK_JSON(j, expected)                                                \
  do {                                                                         \
    char *d_ = dump(j);                                                        \
    CHECK_STR(d_, (expected));                                                 \
    free(d_);                                                                  \
  } while (0)

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool under_valgrind(void) {
  const char *v = getenv("WH_VALGRIND");
  return v && strcmp(v, "1") == 0;
}

/* ---- onItemQueried: the pipeline ---- */

static const char item_text[] =
    "{\"n\":1,\"keep\":{\"deep\":true,\"list\":[1,2]},\"unk\":\"u\","
    "\"passed\":false,\"failed\":false}";
static const char item_sorted[] =
    "{\"failed\":false,\"keep\":{\"deep\":true,\"list\":[1,2]},\"n\":1,"
    "\"passed\":false,\"unk\":\"u\"}";

static void test_pipeline(void) {
  sink s = {STRBUF_INIT, 0};
  vm *v = new_vm(&s, 100);
  /* Changes without a return value stay inside the script, nested ones
   * too. */
  load_ok(v, "q01.js",
          "function onItemQueried(d) { d.n = 100; d.junk = 1; d.keep.deep = "
          "'changed'; d.keep.list.push(3); delete d.unk; }\n");
  /* Sees the original, returns it changed. */
  load_ok(v, "q02.js",
          "function onItemQueried(d) {\n"
          "  console.log('q02', JSON.stringify(d));\n"
          "  d.n = d.n + 1; d.added = 'q02';\n"
          "  return d;\n"
          "}\n");
  /* Throws after changing it: as if nothing was returned. */
  load_ok(v, "q03.js",
          "function onItemQueried(d) { d.n = 333; d.added = 'q03'; return "
          "test.fail(d), boom(); }\nfunction boom() { throw new Error('boom'); "
          "}\n");
  /* Non-objects leave the item unchanged. */
  load_ok(v, "q04.js", "function onItemQueried(d) { d.n = 4; return 42; }\n");
  load_ok(v, "q05.js",
          "function onItemQueried(d) { d.n = 5; return 'text'; }\n");
  load_ok(v, "q06.js", "function onItemQueried(d) { d.n = 6; return null; }\n");
  load_ok(v, "q07.js", "function onItemQueried(d) { d.n = 7; return [d]; }\n");
  load_ok(v, "q08.js",
          "function onItemQueried(d) { d.n = 8; return function () { return "
          "d; }; }\n");
  load_ok(v, "q09.js", "function onItemQueried(d) { d.n = 9; return true; }\n");
  /* Times out after changing it: as if nothing was returned. */
  load_ok(v, "q10.js",
          "function onItemQueried(d) { d.n = 10; test.pass(d); while (true) "
          "{} }\n");
  /* Does not define the hook: skipped. */
  load_ok(v, "q11.js", "var onItemQueried = 'not a function';\n");
  /* Sees q02's result; returns a new plain object (unknown keys,
   * undefined and functions dropped by JSON rules) marked passed. */
  load_ok(v, "q12.js",
          "function onItemQueried(d) {\n"
          "  console.log('q12', JSON.stringify(d));\n"
          "  return test.pass({n: d.n * 10, keep: d.keep, unk: d.unk, "
          "fresh: [1, 'x', null, undefined], und: undefined, fn: function () "
          "{}, failed: d.failed});\n"
          "}\n");
  /* Sees q12's object and marks it failed too: both marks survive. */
  load_ok(v, "q13.js",
          "function onItemQueried(d) {\n"
          "  console.log('q13', JSON.stringify(d));\n"
          "  return test.fail(d);\n"
          "}\n");
  CHECK_LINES(&s, "");

  json_t *item = parse(item_text);
  json_t *out = vm_item_queried(v, item);
  CHECK(out != NULL && out != item);
  CHECK_JSON(out,
             "{\"failed\":true,\"fresh\":[1,\"x\",null,null],\"keep\":{"
             "\"deep\":true,\"list\":[1,2]},\"n\":20,\"passed\":true,\"unk\":"
             "\"u\"}");
  /* The input is not modified. */
  CHECK_JSON(item, item_sorted);
  CHECK_INT(item->refcount, 1);
  CHECK_LINES(&s,
              "[q02.js] q02 "
              "{\"n\":1,\"keep\":{\"deep\":true,\"list\":[1,2]},\"unk\":\"u\","
              "\"passed\":false,\"failed\":false}\n"
              "[q03.js:ERROR] (hook=onItemQueried) Error: boom (at q03.js:2)\n"
              "[q10.js:ERROR] (hook=onItemQueried) RangeError: execution "
              "timeout (limit 100 ms)\n"
              "[q12.js] q12 "
              "{\"n\":2,\"keep\":{\"deep\":true,\"list\":[1,2]},\"unk\":\"u\","
              "\"passed\":false,\"failed\":false,\"added\":\"q02\"}\n"
              "[q13.js] q13 "
              "{\"n\":20,\"keep\":{\"deep\":true,\"list\":[1,2]},\"unk\":\"u\","
              "\"fresh\":[1,\"x\",null,null],\"failed\":false,\"passed\":true}"
              "\n");
  /* Every script with the hook was called once: 12 (q11 has none), one
   * error, one timeout. */
  const vm_hook_stats *st = vm_stats(v, VM_HOOK_ITEM_QUERIED);
  CHECK_INT(st->calls, 12);
  CHECK_INT(st->errors, 1);
  CHECK_INT(st->timeouts, 1);
  CHECK_INT(vm_stats(v, VM_HOOK_ITEM_CAPTURED)->calls, 0);

  /* The same again gives the same result: no state leaks between items
   * (the scripts keep no globals here). */
  json_t *again = vm_item_queried(v, item);
  char *a = dump(out), *b = dump(again);
  CHECK_STR(b, a);
  free(a);
  free(b);
  CHECK_INT(vm_stats(v, VM_HOOK_ITEM_QUERIED)->calls, 24);
  sb_reset(&s.text);
  json_decref(again);
  json_decref(out);
  json_decref(item);
  vm_free(v);
  sb_free(&s.text);
}

/* When no script returns an object the input itself comes back, with one
 * more reference. */
static void test_pipeline_identity(void) {
  sink s = {STRBUF_INIT, 0};
  vm *v = new_vm(&s, 1000);
  json_t *item = parse(item_text);

  json_t *out = vm_item_queried(v, item); /* no scripts at all */
  CHECK(out == item);
  CHECK_INT(item->refcount, 2);
  json_decref(out);

  load_ok(v, "i1.js", "function onItemQueried(d) { d.n = 2; }\n");
  load_ok(v, "i2.js", "function onItemCaptured(d) { return {}; }\n");
  load_ok(v, "i3.js",
          "function onItemQueried(d) { console.log('i3', d.n); return 7; "
          "}\n");
  out = vm_item_queried(v, item);
  CHECK(out == item);
  CHECK_INT(item->refcount, 2);
  CHECK_JSON(item, item_sorted);
  CHECK_LINES(&s, "[i3.js] i3 1\n");
  json_decref(out);

  /* Returning the item untouched is returning an object: the result is the
   * same JSON (shared, not converted). */
  load_ok(v, "i4.js", "function onItemQueried(d) { return d; }\n");
  out = vm_item_queried(v, item);
  CHECK_JSON(out, item_sorted);
  json_decref(out);
  CHECK_INT(item->refcount, 1);
  sb_reset(&s.text);
  json_decref(item);
  vm_free(v);
  sb_free(&s.text);
}

/* A returned object that cannot be converted is logged and ignored: the
 * next script and the caller get the item as it was. */
static void test_returned_errors(void) {
  sink s = {STRBUF_INIT, 0};
  vm *v = new_vm(&s, 1000);
  load_ok(v, "r1.js",
          "function onItemQueried(d) {\n"
          "  d.n = 'r1';\n"
          "  var o = {a: 1};\n"
          "  Object.defineProperty(o, 'bad', {enumerable: true,\n"
          "    get: function () { throw new TypeError('getter says no'); }});\n"
          "  return o;\n"
          "}\n");
  load_ok(v, "r2.js",
          "function onItemQueried(d) { var o = {a: 2}; o.self = o; return o; "
          "}\n");
  load_ok(v, "r3.js",
          "function onItemQueried(d) {\n"
          "  return {a: 3, when: {toJSON: function () { throw 'no date'; }}};\n"
          "}\n");
  load_ok(v, "r4.js",
          "function onItemQueried(d) { console.log('r4', d.n, d.a, d.bad); "
          "}\n");
  json_t *item = parse(item_text);
  json_t *out = vm_item_queried(v, item);
  CHECK(out == item);
  CHECK_JSON(out, item_sorted);
  CHECK_LINES(&s,
              "[r1.js:ERROR] (hook=onItemQueried) returned value: TypeError: "
              "getter says no (at r1.js:5)\n"
              "[r2.js:ERROR] (hook=onItemQueried) returned value: value is "
              "cyclic or nested deeper than 64 levels\n"
              "[r3.js:ERROR] (hook=onItemQueried) returned value: no date\n"
              "[r4.js] r4 1 undefined undefined\n");
  const vm_hook_stats *st = vm_stats(v, VM_HOOK_ITEM_QUERIED);
  CHECK_INT(st->calls, 4);
  CHECK_INT(st->timeouts, 0);
  json_decref(out);
  json_decref(item);
  vm_free(v);
  sb_free(&s.text);
}

/* ---- onPacketCaptured ---- */

static void test_packet(void) {
  sink s = {STRBUF_INIT, 0};
  vm *v = new_vm(&s, 1000);
  CHECK(!vm_has_hook(v, VM_HOOK_PACKET_CAPTURED));
  load_ok(v, "p1.js",
          "var n = 0, bytes = 0;\n"
          "function onPacketCaptured(info) {\n"
          "  n++; bytes += info.length;\n"
          "  console.log('p1', n, bytes, JSON.stringify(info), typeof "
          "info.timestamp, info.truncated === (info.captureLength < "
          "info.length));\n"
          "  info.length = 0;\n"
          "  return {ignored: true};\n"
          "}\n");
  load_ok(v, "p2.js", "function onItemCaptured(d) { console.log('p2'); }\n");
  load_ok(v, "p3.js",
          "function onPacketCaptured(info) { console.log('p3', info.length, "
          "info.fragmented); }\n");
  CHECK(vm_has_hook(v, VM_HOOK_PACKET_CAPTURED));
  json_t *info =
      parse("{\"timestamp\":\"2024-01-02T03:04:05.123456789Z\","
            "\"captureLength\":60,\"length\":1514,\"truncated\":true,"
            "\"fragmented\":false}");
  vm_packet_captured(v, info);
  vm_packet_captured(v, info);
  CHECK_LINES(&s, "[p1.js] p1 1 1514 "
                  "{\"timestamp\":\"2024-01-02T03:04:05.123456789Z\","
                  "\"captureLength\":60,\"length\":1514,\"truncated\":true,"
                  "\"fragmented\":false} string true\n"
                  "[p3.js] p3 1514 false\n"
                  "[p1.js] p1 2 3028 "
                  "{\"timestamp\":\"2024-01-02T03:04:05.123456789Z\","
                  "\"captureLength\":60,\"length\":1514,\"truncated\":true,"
                  "\"fragmented\":false} string true\n"
                  "[p3.js] p3 1514 false\n");
  /* The caller's info is not modified. */
  CHECK_INT(json_integer_value(json_object_get(info, "length")), 1514);
  CHECK_INT(vm_stats(v, VM_HOOK_PACKET_CAPTURED)->calls, 4);
  CHECK_INT(vm_stats(v, VM_HOOK_PACKET_CAPTURED)->errors, 0);
  CHECK_INT(vm_stats(v, VM_HOOK_ITEM_CAPTURED)->calls, 0);
  json_decref(info);
  vm_free(v);
  sb_free(&s.text);
}

/* ---- vm_has_hook ---- */

static void check_hooks(const vm *v, bool pkt, bool cap, bool qry, bool pass,
                        bool fail, int line) {
  bool want[VM_HOOK_COUNT] = {pkt, cap, qry, pass, fail};
  for (int h = 0; h < VM_HOOK_COUNT; h++)
    if (vm_has_hook(v, (vm_hook)h) != want[h]) {
      fprintf(stderr, "%s:%d: vm_has_hook(%s) is %d, expected %d\n", __FILE__,
              line, vm_hook_names[h], !want[h], want[h]);
      check_failures++;
    }
}
#define CHECK_HOOKS(v, a, b, c, d, e) check_hooks(v, a, b, c, d, e, __LINE__)

static void test_has_hook(void) {
  sink s = {STRBUF_INIT, 0};
  vm *v = new_vm(&s, 100);
  CHECK_STR(vm_hook_names[VM_HOOK_PACKET_CAPTURED], "onPacketCaptured");
  CHECK_STR(vm_hook_names[VM_HOOK_ITEM_CAPTURED], "onItemCaptured");
  CHECK_STR(vm_hook_names[VM_HOOK_ITEM_QUERIED], "onItemQueried");
  CHECK_STR(vm_hook_names[VM_HOOK_JOB_PASSED], "onJobPassed");
  CHECK_STR(vm_hook_names[VM_HOOK_JOB_FAILED], "onJobFailed");
  CHECK_HOOKS(v, false, false, false, false, false);
  /* Not functions, misspelt, nested or local: no hook. */
  load_ok(v, "h0.js",
          "var onPacketCaptured = 5; this.onItemQueried = {};\n"
          "function onitemcaptured() {}\n"
          "var o = {onJobPassed: function () {}};\n"
          "(function () { function onJobFailed() {} })();\n");
  CHECK_HOOKS(v, false, false, false, false, false);
  /* A script that defines a hook but fails to load adds none. */
  CHECK_INT(
      vm_load_file(v, script_file("h1.js", "function onPacketCaptured() {}\n"
                                           "throw new Error('no');\n")),
      -1);
  CHECK_INT(vm_load_file(v, script_file("h2.js", "function onItemQueried() {}\n"
                                                 "while (true) {}\n")),
            -1);
  CHECK_LINES(&s, "[h1.js:ERROR] load: Error: no (at h1.js:2)\n"
                  "[h2.js:ERROR] load: RangeError: execution timeout (limit "
                  "100 ms)\n");
  CHECK_HOOKS(v, false, false, false, false, false);
  load_ok(v, "h3.js", "function onItemCaptured(d) {}\n");
  CHECK_HOOKS(v, false, true, false, false, false);
  load_ok(v, "h4.js",
          "var onJobPassed = function (t, c, l) {};\n"
          "this.onJobFailed = function (t, c, l, e) {};\n");
  CHECK_HOOKS(v, false, true, false, true, true);
  load_ok(v, "h5.js", "function onItemQueried(d) {}\n");
  CHECK_HOOKS(v, false, true, true, true, true);
  load_ok(v, "h6.js", "onPacketCaptured = function (i) {};\n");
  CHECK_HOOKS(v, true, true, true, true, true);
  CHECK_INT(vm_script_count(v), 5);
  CHECK_LINES(&s, "");
  vm_free(v);
  sb_free(&s.text);
}

/* ---- hook statistics ---- */

static void test_stats(void) {
  sink s = {STRBUF_INIT, 0};
  vm *v = new_vm(&s, 100);
  for (int h = 0; h < VM_HOOK_COUNT; h++) {
    const vm_hook_stats *st = vm_stats(v, (vm_hook)h);
    CHECK(st->calls == 0 && st->errors == 0 && st->timeouts == 0 &&
          st->ns == 0);
  }
  load_ok(v, "ok.js", "function onItemCaptured(d) { return 1; }\n");
  load_ok(v, "none.js", "var x = 1;\n");
  load_ok(v, "err.js",
          "var n = 0;\n"
          "function onItemCaptured(d) { n++; if (n % 2) throw 'odd ' + n; "
          "}\n");
  load_ok(v, "slow.js",
          "var n = 0;\n"
          "function onItemCaptured(d) { n++; if (n === 1) { try { while "
          "(true) {} } catch (e) { console.log('caught', e); while (true) "
          "{} } } console.log('slow', n); }\n");
  load_ok(v, "bad.js", "function onPacketCaptured(i) { null.x; }\n");
  json_t *item = parse("{\"a\":1}");
  vm_item_captured(v, item);
  vm_item_captured(v, item);
  vm_item_captured(v, item);
  CHECK_LINES(&s, "[err.js:ERROR] (hook=onItemCaptured) odd 1\n"
                  "[slow.js:ERROR] (hook=onItemCaptured) RangeError: execution "
                  "timeout (limit 100 ms)\n"
                  "[slow.js] slow 2\n"
                  "[err.js:ERROR] (hook=onItemCaptured) odd 3\n"
                  "[slow.js] slow 3\n");
  const vm_hook_stats *st = vm_stats(v, VM_HOOK_ITEM_CAPTURED);
  CHECK_INT(st->calls, 9);
  CHECK_INT(st->errors, 2);
  CHECK_INT(st->timeouts, 1);
  CHECK(st->ns >= 100u * 1000000u);
  json_t *info = parse("{\"length\":1}");
  vm_packet_captured(v, info);
  CHECK_LINES(&s, "[bad.js:ERROR] (hook=onPacketCaptured) TypeError: cannot "
                  "read property 'x' of null (at bad.js:1)\n");
  st = vm_stats(v, VM_HOOK_PACKET_CAPTURED);
  CHECK_INT(st->calls, 1);
  CHECK_INT(st->errors, 1);
  CHECK_INT(st->timeouts, 0);
  /* Other hooks are untouched. */
  CHECK_INT(vm_stats(v, VM_HOOK_ITEM_QUERIED)->calls, 0);
  CHECK_INT(vm_stats(v, VM_HOOK_JOB_PASSED)->calls, 0);
  CHECK_INT(vm_stats(v, VM_HOOK_JOB_FAILED)->calls, 0);
  json_decref(info);
  json_decref(item);
  vm_free(v);
  sb_free(&s.text);
}

/* ---- load failures ---- */

static void test_load_failures(void) {
  sink s = {STRBUF_INIT, 0};
  vm *v = new_vm(&s, 100);
  load_ok(v, "good.js",
          "console.log('good loaded');\n"
          "function onItemCaptured(d) { console.log('good', "
          "d.a); }\n");
  CHECK_LINES(&s, "[good.js] good loaded\n");
  char missing[PATH_MAX];
  in_top(missing, "missing.js");
  CHECK_INT(vm_load_file(v, missing), -1);
  CHECK_INT(vm_script_count(v), 1);
  char want[PATH_MAX + 128];
  if (snprintf(want, sizeof want,
               "[missing.js:ERROR] load: %s: No such file or directory\n",
               missing) >= (int)sizeof want)
    want[0] = '\0';
  CHECK_LINES(&s, want);

  CHECK_INT(
      vm_load_file(v, script_file("syntax.js", "function onItemCaptured(d) {\n"
                                               "  console.log('x';\n}\n")),
      -1);
  CHECK_INT(vm_script_count(v), 1);
  CHECK(strncmp(sb_str(&s.text), "[syntax.js:ERROR] load: SyntaxError: ", 37) ==
        0);
  CHECK(strstr(sb_str(&s.text), "(line 2)") != NULL);
  CHECK_INT(strchr(sb_str(&s.text), '\n') - sb_str(&s.text) + 1,
            s.text.len); /* one line */
  sb_reset(&s.text);

  CHECK_INT(
      vm_load_file(v, script_file("throws.js",
                                  "console.log('before');\n"
                                  "function onItemCaptured(d) { "
                                  "console.log('never'); }\n"
                                  "throw new RangeError('bad config');\n")),
      -1);
  CHECK_INT(vm_script_count(v), 1);
  CHECK_LINES(&s, "[throws.js] before\n"
                  "[throws.js:ERROR] load: RangeError: bad config (at "
                  "throws.js:3)\n");
  CHECK_INT(vm_load_file(v, script_file("loops.js",
                                        "function onItemCaptured(d) { "
                                        "console.log('never'); }\n"
                                        "try { while (true) {} } catch (e) { "
                                        "console.log('caught'); }\n")),
            -1);
  CHECK_INT(vm_script_count(v), 1);
  CHECK_LINES(&s, "[loops.js:ERROR] load: RangeError: execution timeout "
                  "(limit 100 ms)\n");
  /* A directory is not a script. */
  char dir[PATH_MAX];
  in_top(dir, "adir.js");
  CHECK_INT(mkdir(dir, 0755), 0);
  CHECK_INT(vm_load_file(v, dir), -1);
  CHECK_INT(vm_script_count(v), 1);
  CHECK(strncmp(sb_str(&s.text), "[adir.js:ERROR] load: ", 22) == 0);
  sb_reset(&s.text);

  /* The failed scripts have no hooks; the good one still runs, and so does
   * a script loaded after the failures. */
  load_ok(v, "after.js",
          "function onItemCaptured(d) { console.log('after', d.a); }\n");
  json_t *item = parse("{\"a\":1}");
  vm_item_captured(v, item);
  CHECK_LINES(&s, "[good.js] good 1\n[after.js] after 1\n");
  CHECK_INT(vm_stats(v, VM_HOOK_ITEM_CAPTURED)->calls, 2);
  json_decref(item);
  vm_free(v);
  sb_free(&s.text);
}

/* ---- isolation ---- */

static void test_isolation(void) {
  sink s = {STRBUF_INIT, 0};
  vm *v = new_vm(&s, 1000);
  load_ok(v, "g1.js",
          "var shared = 'g1', calls = 0;\n"
          "this.x = 'g1x';\n"
          "implicit = 5;\n"
          "Object.prototype.polluted = 'g1';\n"
          "JSON.extra = 1;\n"
          "console.custom = 1;\n"
          "function helper() { return 'g1 helper'; }\n"
          "function onItemCaptured(d) {\n"
          "  calls++;\n"
          "  d.mark = 'g1'; d.sub.v = 'g1';\n"
          "  console.log('g1', calls, shared, this.x, implicit, typeof other, "
          "typeof otherThis, helper());\n"
          "}\n");
  load_ok(v, "g2.js",
          "var other = 1;\n"
          "this.otherThis = 2;\n"
          "console.log('g2 load', typeof shared, typeof x, typeof this.x, "
          "typeof implicit, typeof calls, typeof ({}).polluted, typeof "
          "JSON.extra, typeof console.custom);\n"
          "function helper() { return 'g2 helper'; }\n"
          "function onItemCaptured(d) {\n"
          "  console.log('g2', typeof shared, typeof x, typeof this.x, typeof "
          "implicit, d.mark, d.sub.v, helper());\n"
          "}\n");
  CHECK_LINES(&s, "[g2.js] g2 load undefined undefined undefined undefined "
                  "undefined undefined undefined undefined\n");
  json_t *item = parse("{\"sub\":{\"v\":0}}");
  vm_item_captured(v, item);
  vm_item_captured(v, item);
  CHECK_LINES(&s, "[g1.js] g1 1 g1 g1x 5 undefined undefined g1 helper\n"
                  "[g2.js] g2 undefined undefined undefined undefined "
                  "undefined 0 g2 helper\n"
                  "[g1.js] g1 2 g1 g1x 5 undefined undefined g1 helper\n"
                  "[g2.js] g2 undefined undefined undefined undefined "
                  "undefined 0 g2 helper\n");
  CHECK_JSON(item, "{\"sub\":{\"v\":0}}");
  json_decref(item);
  vm_free(v);
  sb_free(&s.text);
}

/* ---- the time limit ---- */

static void test_timeout(void) {
  sink s = {STRBUF_INIT, 0};
  vm *v = new_vm(&s, 100);
  CHECK(vm_timeout_enforced());
  load_ok(v, "s.js",
          "var n = 0, caught = 0;\n"
          "function onItemCaptured(d) {\n"
          "  n++;\n"
          "  if (n === 1) { try { for (;;) {} } catch (e) { caught++; "
          "console.log('caught', e); for (;;) {} } finally { "
          "console.log('finally'); } }\n"
          "  console.log('call', n, 'caught', caught);\n"
          "}\n");
  load_ok(v, "t.js", "function onItemCaptured(d) { console.log('t', d.i); }\n");
  json_t *item = parse("{\"i\":1}");
  uint64_t t0 = now_ms();
  vm_item_captured(v, item);
  uint64_t ms = now_ms() - t0;
  CHECK_LINES(&s, "[s.js:ERROR] (hook=onItemCaptured) RangeError: execution "
                  "timeout (limit 100 ms)\n"
                  "[t.js] t 1\n");
  CHECK(ms >= 100);
  CHECK(ms < (under_valgrind() ? 20000u : 2000u));
  if (ms < 100 || ms >= (under_valgrind() ? 20000u : 2000u))
    fprintf(stderr, "the timed-out call took %llu ms\n",
            (unsigned long long)ms);
  /* The script stays loaded with its state; the next call has its own
   * limit. */
  vm_item_captured(v, item);
  CHECK_LINES(&s, "[s.js] call 2 caught 0\n[t.js] t 1\n");
  CHECK_INT(vm_stats(v, VM_HOOK_ITEM_CAPTURED)->timeouts, 1);
  CHECK_INT(vm_stats(v, VM_HOOK_ITEM_CAPTURED)->errors, 0);
  CHECK_INT(vm_stats(v, VM_HOOK_ITEM_CAPTURED)->calls, 4);
  json_decref(item);
  vm_free(v);
  sb_free(&s.text);

  /* 0 means the default of 1000 ms. */
  sink s2 = {STRBUF_INIT, 0};
  v = new_vm(&s2, 0);
  CHECK_INT(vm_load_file(v, script_file("d.js", "for (;;) {}\n")), -1);
  CHECK_LINES(&s2, "[d.js:ERROR] load: RangeError: execution timeout (limit "
                   "1000 ms)\n");
  vm_free(v);
  sb_free(&s2.text);
}

/* ---- the bundled example's onItemQueried ---- */

/* scripts/examples/mark-500.js marks 200s passed and 500s failed when
 * queried, and leaves the rest alone. */
static void test_example_mark500(void) {
  const char *src = getenv("WH_TOP_SRCDIR");
  if (!src) {
    fprintf(stderr, "WH_TOP_SRCDIR is not set: mark-500.js not tested\n");
    return;
  }
  char path[PATH_MAX];
  if (snprintf(path, sizeof path, "%s/scripts/examples/mark-500.js", src) >=
      (int)sizeof path)
    path[0] = '\0';
  sink s = {STRBUF_INIT, 0};
  vm *v = new_vm(&s, 1000);
  CHECK_INT(vm_load_file(v, path), 0);
  CHECK(vm_has_hook(v, VM_HOOK_ITEM_QUERIED));
  static const struct {
    const char *item, *want;
  } cases[] = {
      {"{\"protocol\":{\"name\":\"http\"},\"response\":{\"status\":200},"
       "\"passed\":false,\"failed\":false,\"x\":1}",
       "{\"failed\":false,\"passed\":true,\"protocol\":{\"name\":\"http\"},"
       "\"response\":{\"status\":200},\"x\":1}"},
      {"{\"protocol\":{\"name\":\"http\"},\"response\":{\"status\":500},"
       "\"passed\":false,\"failed\":false}",
       "{\"failed\":true,\"passed\":false,\"protocol\":{\"name\":\"http\"},"
       "\"response\":{\"status\":500}}"},
      {"{\"protocol\":{\"name\":\"http\"},\"response\":{\"status\":404},"
       "\"passed\":false,\"failed\":false}",
       NULL},
      {"{\"protocol\":{\"name\":\"dns\"},\"response\":{\"answers\":[]}}", NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    json_t *item = parse(cases[i].item);
    json_t *out = vm_item_queried(v, item);
    if (cases[i].want) {
      CHECK_JSON(out, cases[i].want);
    } else {
      CHECK(out == item); /* returned nothing: the item itself */
    }
    json_decref(out);
    json_decref(item);
  }
  CHECK_LINES(&s, "");
  CHECK_INT(vm_stats(v, VM_HOOK_ITEM_QUERIED)->calls, 4);
  CHECK_INT(vm_stats(v, VM_HOOK_ITEM_QUERIED)->errors, 0);
  vm_free(v);
  sb_free(&s.text);
}

/* ---- two runtimes side by side ---- */

/* Each vm is a separate duktape heap; one must not depend on another's
 * state.  Runs in a child so that a crash is reported, not fatal. */
static int two_vms(void) {
  sink a = {STRBUF_INIT, 0}, b = {STRBUF_INIT, 0};
  vm *va = new_vm(&a, 1000);
  load_ok(va, "a.js",
          "function onItemCaptured(d) { console.log('a', d.x, d.sub.y); }\n");
  vm *vb = new_vm(&b, 1000);
  load_ok(vb, "b.js",
          "function onItemCaptured(d) { console.log('b', d.x, d.sub.y); }\n");
  json_t *item = parse("{\"x\":1,\"sub\":{\"y\":2}}");
  vm_item_captured(va, item);
  vm_item_captured(vb, item);
  vm_free(vb);
  vm_item_captured(va, item);
  CHECK_LINES(&a, "[a.js] a 1 2\n[a.js] a 1 2\n");
  CHECK_LINES(&b, "[b.js] b 1 2\n");
  json_decref(item);
  vm_free(va);
  sb_free(&a.text);
  sb_free(&b.text);
  return check_failures;
}

static void test_two_vms(void) {
  fflush(stderr);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0)
    _exit(two_vms() ? 1 : 0);
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "two vms side by side: child %s %d\n",
            WIFEXITED(status) ? "exited with" : "killed by signal",
            WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    check_failures++;
  }
}

int main(void) {
  snprintf(top, sizeof top, "%s/wh-vm.XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(top)) {
    perror("mkdtemp");
    return 1;
  }
  test_pipeline();
  test_pipeline_identity();
  test_returned_errors();
  test_packet();
  test_has_hook();
  test_stats();
  test_load_failures();
  test_isolation();
  test_timeout();
  test_example_mark500();
  test_two_vms();
  int failed = CHECK_DONE();
  if (!failed) {
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
    if (system(cmd) != 0)
      fprintf(stderr, "could not remove %s\n", top);
  } else {
    fprintf(stderr, "work directory kept: %s\n", top);
  }
  return failed;
}
