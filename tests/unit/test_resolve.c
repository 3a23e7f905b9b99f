/* Unit test of name resolution with history (daemon/resolve.c): lookups
 * at past times, keys only for real changes, caps on entries and history,
 * the hosts file and its errors, and the history JSON. */
#include "config.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "resolve.h"

static wh_addr ip(const char *s) {
  wh_addr a;
  memset(&a, 0, sizeof a);
  if (inet_pton(AF_INET, s, a.bytes) == 1)
    a.family = 4;
  else if (inet_pton(AF_INET6, s, a.bytes) == 1)
    a.family = 6;
  return a;
}

/* "name/ns" valid for addr at t, or "-" when unknown. */
static const char *at(resolver *r, const char *addr, time_t t) {
  static char buf[600];
  const char *n, *ns;
  wh_addr a = ip(addr);
  if (!resolver_lookup(r, &a, t, &n, &ns))
    return "-";
  snprintf(buf, sizeof buf, "%s/%s", n, ns);
  return buf;
}

static void learn(resolver *r, const char *addr, const char *name, time_t t) {
  wh_addr a = ip(addr);
  resolver_learn(r, &a, name, "", t);
}

#define CHECK_JSON(j, text)                                                    \
  do {                                                                         \
    json_t *want_ = json_loads(text, 0, NULL);                                 \
    json_t *got_ = (j);                                                        \
    if (!want_ || !got_ || !json_equal(want_, got_)) {                         \
      char *s_ = got_ ? json_dumps(got_, JSON_SORT_KEYS) : NULL;               \
      fprintf(stderr, "%s:%d: history is %s\n  expected %s\n", __FILE__,       \
              __LINE__, s_ ? s_ : "NULL", text);                               \
      free(s_);                                                                \
      check_failures++;                                                        \
    }                                                                          \
    json_decref(want_);                                                        \
    json_decref(got_);                                                         \
  } while (0)

static void test_empty(void) {
  resolver *r = resolver_new(0, 0);
  CHECK_JSON(resolver_history_json(r, 0), "{}");
  CHECK_STR(at(r, "10.0.0.1", 100), "-");
  resolver_free(r);
}

static void test_history(void) {
  resolver *r = resolver_new(0, 0);
  learn(r, "10.0.0.1", "a.example", 100);
  CHECK_STR(at(r, "10.0.0.1", 99), "-");
  CHECK_STR(at(r, "10.0.0.1", 100), "a.example/");
  CHECK_STR(at(r, "10.0.0.1", 5000), "a.example/");
  CHECK_STR(at(r, "10.0.0.2", 5000), "-");
  /* The same answer again: no key. */
  learn(r, "10.0.0.1", "a.example", 200);
  CHECK_INT(resolver_history_keys(r), 1);
  /* Three changes in one second share a key; the last value wins. */
  learn(r, "10.0.0.1", "b.example", 300);
  learn(r, "2001:db8::1", "v6.example", 300);
  learn(r, "2001:db8::1", "v6b.example", 300);
  CHECK_INT(resolver_history_keys(r), 2);
  CHECK_STR(at(r, "10.0.0.1", 299), "a.example/");
  CHECK_STR(at(r, "10.0.0.1", 300), "b.example/");
  CHECK_STR(at(r, "2001:db8::1", 299), "-");
  CHECK_STR(at(r, "2001:db8::1", 300), "v6b.example/");
  /* A clock that steps back records at the newest key. */
  learn(r, "10.0.0.3", "c.example", 250);
  CHECK_INT(resolver_history_keys(r), 2);
  CHECK_STR(at(r, "10.0.0.3", 300), "c.example/");
  CHECK_STR(at(r, "10.0.0.3", 299), "-");
  CHECK_JSON(
      resolver_history_json(r, 0),
      "{\"100\": {\"10.0.0.1\": {\"name\": \"a.example\", "
      "\"namespace\": \"\"}},"
      " \"300\": {\"10.0.0.1\": {\"name\": \"b.example\", "
      "\"namespace\": \"\"},"
      "   \"2001:db8::1\": {\"name\": \"v6b.example\", \"namespace\": "
      "\"\"},"
      "   \"10.0.0.3\": {\"name\": \"c.example\", \"namespace\": \"\"}}}");
  /* Keys before `oldest` go, the newest always stays. */
  json_t *j = resolver_history_json(r, 101);
  CHECK_INT(json_object_size(j), 1);
  CHECK(json_object_get(j, "300") != NULL);
  json_decref(j);
  j = resolver_history_json(r, 100);
  CHECK_INT(json_object_size(j), 2);
  json_decref(j);
  j = resolver_history_json(r, 999999);
  CHECK_INT(json_object_size(j), 1);
  CHECK_INT(json_object_size(json_object_get(j, "300")), 3);
  json_decref(j);
  resolver_free(r);
}

/* At most 3 keys: the oldest go, and the oldest kept key's table still
 * holds entries learned before it. */
static void test_history_cap(void) {
  resolver *r = resolver_new(0, 3);
  learn(r, "10.0.0.1", "one", 1);
  learn(r, "10.0.0.2", "two", 2);
  learn(r, "10.0.0.2", "two-b", 3);
  learn(r, "10.0.0.3", "three", 4);
  learn(r, "10.0.0.2", "two-c", 5);
  CHECK_INT(resolver_history_keys(r), 3);
  CHECK_STR(at(r, "10.0.0.1", 2), "-"); /* before the oldest key */
  CHECK_STR(at(r, "10.0.0.1", 3), "one/");
  CHECK_STR(at(r, "10.0.0.2", 3), "two-b/");
  CHECK_STR(at(r, "10.0.0.2", 4), "two-b/");
  CHECK_STR(at(r, "10.0.0.2", 5), "two-c/");
  CHECK_JSON(
      resolver_history_json(r, 0),
      "{\"3\": {\"10.0.0.1\": {\"name\": \"one\", \"namespace\": \"\"},"
      "        \"10.0.0.2\": {\"name\": \"two-b\", \"namespace\": \"\"}},"
      " \"4\": {\"10.0.0.1\": {\"name\": \"one\", \"namespace\": \"\"},"
      "        \"10.0.0.2\": {\"name\": \"two-b\", \"namespace\": \"\"},"
      "        \"10.0.0.3\": {\"name\": \"three\", \"namespace\": \"\"}},"
      " \"5\": {\"10.0.0.1\": {\"name\": \"one\", \"namespace\": \"\"},"
      "        \"10.0.0.2\": {\"name\": \"two-c\", \"namespace\": \"\"},"
      "        \"10.0.0.3\": {\"name\": \"three\", \"namespace\": \"\"}}}");
  /* Many changes keep memory bounded (valgrind sees the frees). */
  char a[32], n[32];
  for (int i = 0; i < 20000; i++) {
    snprintf(a, sizeof a, "10.1.%d.%d", (i / 250) % 250, i % 250);
    snprintf(n, sizeof n, "h%d", i);
    learn(r, a, n, 10 + i / 7);
  }
  CHECK_INT(resolver_history_keys(r), 3);
  CHECK_STR(at(r, "10.1.79.249", 10 + 19999 / 7), "h19999/");
  resolver_free(r);
}

/* Two entries at most: the least recently learned makes room. */
static void test_entry_cap(void) {
  resolver *r = resolver_new(2, 0);
  learn(r, "10.0.0.1", "one", 10);
  learn(r, "10.0.0.2", "two", 11);
  learn(r, "10.0.0.1", "one", 12); /* refreshed; no change, no key */
  CHECK_INT(resolver_history_keys(r), 2);
  learn(r, "10.0.0.3", "three", 13);
  CHECK_STR(at(r, "10.0.0.2", 12), "two/");
  CHECK_STR(at(r, "10.0.0.2", 13), "-");
  CHECK_STR(at(r, "10.0.0.1", 13), "one/");
  CHECK_STR(at(r, "10.0.0.3", 13), "three/");
  json_t *j = resolver_history_json(r, 13);
  CHECK_JSON(j, "{\"13\": {\"10.0.0.1\": {\"name\": \"one\", \"namespace\": "
                "\"\"}, \"10.0.0.3\": {\"name\": \"three\", \"namespace\": "
                "\"\"}}}");
  resolver_free(r);
}

static char dir[64];

static const char *write_file(const char *name, const char *text) {
  static char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
  return path;
}

static void expect_error(const char *text, const char *msg) {
  resolver *r = resolver_new(3, 0);
  const char *path = write_file("bad.hosts", text);
  char err[512] = "", want[600];
  CHECK_INT(resolver_load_hosts(r, path, 100, err, sizeof err), -1);
  snprintf(want, sizeof want, "%s:%s", path, msg);
  CHECK_STR(err, want);
  CHECK_INT(resolver_history_keys(r), 0); /* nothing applied */
  resolver_free(r);
}

static void test_hosts(void) {
  resolver *r = resolver_new(0, 0);
  const char *path = write_file(
      "a.hosts", "# static names\n\n10.0.0.9  orders shop\n"
                 "\t2001:DB8:0:0:0:0:0:2 api   # trailing comment\r\n"
                 "10.0.0.10 db default\n");
  char err[512] = "";
  CHECK_INT(resolver_load_hosts(r, path, 100, err, sizeof err), 0);
  CHECK_STR(at(r, "10.0.0.9", 100), "orders/shop");
  CHECK_STR(at(r, "2001:db8::2", 100), "api/");
  CHECK_INT(resolver_history_keys(r), 1);
  /* A static entry wins over sniffed DNS. */
  learn(r, "10.0.0.9", "orders.internal", 200);
  CHECK_STR(at(r, "10.0.0.9", 200), "orders/shop");
  CHECK_INT(resolver_history_keys(r), 1);
  /* A reload drops what it no longer lists and changes what differs. */
  path = write_file("b.hosts", "10.0.0.9 orders shop\n10.0.0.10 db2\n");
  CHECK_INT(resolver_load_hosts(r, path, 300, err, sizeof err), 0);
  CHECK_STR(at(r, "2001:db8::2", 299), "api/");
  CHECK_STR(at(r, "2001:db8::2", 300), "-");
  CHECK_STR(at(r, "10.0.0.10", 300), "db2/");
  CHECK_JSON(resolver_history_json(r, 300),
             "{\"300\": {\"10.0.0.9\": {\"name\": \"orders\", \"namespace\": "
             "\"shop\"}, \"10.0.0.10\": {\"name\": \"db2\", \"namespace\": "
             "\"\"}}}");
  /* Reloading the same file changes nothing. */
  CHECK_INT(resolver_load_hosts(r, path, 400, err, sizeof err), 0);
  CHECK_INT(resolver_history_keys(r), 2);
  resolver_free(r);

  expect_error("10.0.0.1 a\n\n10.0.0.300 b\n",
               "3: not an IPv4 or IPv6 address");
  expect_error("10.0.0.1\n", "1: expected \"ip name [namespace]\"");
  expect_error("10.0.0.1 a b c\n",
               "1: too many fields; expected \"ip name [namespace]\"");
  expect_error("10.0.0.1 a\n# x\n10.0.0.1 b\n",
               "3: 10.0.0.1 is already listed on line 1");
  expect_error("10.0.0.1 a\n10.0.0.2 b\n10.0.0.3 c\n10.0.0.4 d\n",
               "4: more than 3 entries");
  char long_line[1100];
  memset(long_line, 'x', sizeof long_line);
  memcpy(long_line, "10.0.0.1 ", 9);
  long_line[sizeof long_line - 2] = '\n';
  long_line[sizeof long_line - 1] = '\0';
  expect_error(long_line, "1: line longer than 1024 characters");

  r = resolver_new(0, 0);
  snprintf(err, sizeof err, "x");
  CHECK_INT(resolver_load_hosts(r, "/nonexistent/hosts", 1, err, sizeof err),
            -1);
  CHECK_STR(err, "/nonexistent/hosts: No such file or directory");
  resolver_free(r);
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/wh_resolve_XXXXXX");
  if (!mkdtemp(dir))
    return 1;
  test_empty();
  test_history();
  test_history_cap();
  test_entry_cap();
  test_hosts();
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    return 1;
  return CHECK_DONE();
}
