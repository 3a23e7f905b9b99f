/* Unit test of the item store (daemon/store/item_store.c, item_scan.c,
 * item_segments.c): order across rotation and chunk boundaries, earlier
 * runs' segments, retention by size and age, since filtering, what
 * readers may not see (unflushed, partial, corrupt), short writes, and a
 * reader racing the writer and retention. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "datadir.h"
#include "store/item_line.h"
#include "store/item_store.h"
#include "store_files.h"

#define MAX_GOT 40000

static void write_file(const char *rel, const void *data, size_t len) {
  char p[512];
  path_of(rel, p, sizeof p);
  FILE *f = fopen(p, "wb");
  CHECK(f != NULL);
  if (!f)
    return;
  CHECK(len == 0 || fwrite(data, len, 1, f) == 1);
  fclose(f);
}

static void write_str(const char *rel, const char *s) {
  write_file(rel, s, strlen(s));
}

/* The segment files in items/, sorted, one per line. */
static char *list_segments(void) {
  char cmd[600];
  snprintf(cmd, sizeof cmd,
           "cd '%s/items' && ls | grep -E '^[0-9]{13}-[0-9]{8}\\.jsonl$'",
           root);
  FILE *f = popen(cmd, "r");
  static char buf[65536];
  size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
  buf[n] = '\0';
  if (f)
    pclose(f);
  return buf;
}

static int count_lines(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

static void clean_items(void) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s/items'", root);
  CHECK(system(cmd) == 0);
}

static void make_items_dir(void) {
  char p[512];
  path_of("items", p, sizeof p);
  CHECK(mkdir(p, 0755) == 0);
}

static item_store *open_store(uint64_t seg, uint64_t max_size,
                              uint64_t max_age) {
  item_store_opts o = {seg, max_size, max_age, false};
  char err[256] = "";
  item_store *s = item_store_open(&o, err, sizeof err);
  if (!s)
    fprintf(stderr, "open: %s\n", err);
  CHECK(s != NULL);
  return s;
}

static char pad_chars[4 << 20];

static json_t *make_item(int64_t ts, int index, size_t pad) {
  return json_pack("{s:s, s:i, s:{s:s, s:s}, s:I, s:s%}", "id", "w/1-0",
                   "index", index, "src", "ip", "10.0.0.7", "port", "40000",
                   "timestamp", (json_int_t)ts, "pad", pad_chars, pad);
}

static int append(item_store *s, int64_t ts, int index, size_t pad) {
  json_t *j = make_item(ts, index, pad);
  int rc = item_store_append(s, j);
  json_decref(j);
  return rc;
}

/* ------------------------------------------------------------------ */
/* Collecting a scan                                                   */

typedef struct got {
  int64_t n;
  int64_t stop_after; /* 0: never stop */
  int bad;            /* lines that are not JSON objects */
  int idx[MAX_GOT];   /* "index" of each visited line, -1 if none */
  int64_t ts[MAX_GOT];
  size_t len[MAX_GOT];
} got;

static bool collect(void *u, const char *line, size_t len, int64_t ts) {
  got *g = u;
  json_t *j = json_loadb(line, len, 0, NULL);
  if (!json_is_object(j))
    g->bad++;
  if (g->n < MAX_GOT) {
    json_t *i = json_object_get(j, "index");
    g->idx[g->n] = json_is_integer(i) ? (int)json_integer_value(i) : -1;
    g->ts[g->n] = ts;
    g->len[g->n] = len;
  }
  json_decref(j);
  g->n++;
  return !(g->stop_after && g->n >= g->stop_after);
}

static got *scan(item_store *s, int64_t since, int64_t stop_after) {
  got *g = calloc(1, sizeof *g);
  g->stop_after = stop_after;
  char err[256] = "";
  int64_t n = item_store_scan(s, since, collect, g, err, sizeof err);
  CHECK_INT(n, g->n);
  CHECK_STR(err, "");
  return g;
}

/* True when the visited indexes are hi, hi-1, ..., hi-n+1. */
static bool descending_from(const got *g, int hi) {
  for (int64_t i = 0; i < g->n; i++)
    if (g->idx[i] != hi - i)
      return false;
  return true;
}

/* ------------------------------------------------------------------ */
/* The encoder against json_dumps                                      */

static uint64_t rng = 88172645463325252ull;

static uint64_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* Bytes meant to hit every escaping and UTF-8 rule: ASCII, controls,
 * quotes, backslashes, 2-4 byte sequences, and (now and then) invalid
 * ones: overlong, surrogates, beyond U+10FFFF, cut, stray continuation. */
static size_t rnd_text(char *b, size_t cap, bool invalid_ok) {
  static const char *const pieces[] = {"a",
                                       "Z",
                                       " ",
                                       "/",
                                       "\"",
                                       "\\",
                                       "\n",
                                       "\r",
                                       "\t",
                                       "\b",
                                       "\f",
                                       "\x01",
                                       "\x1f",
                                       "\x7f",
                                       "\xc3\xa9",
                                       "\xdf\xbf",
                                       "\xe2\x82\xac",
                                       "\xef\xbf\xbd",
                                       "\xed\x9f\xbf",
                                       "\xee\x80\x80",
                                       "\xf0\x9f\x98\x80",
                                       "\xf4\x8f\xbf\xbf",
                                       "0123456789"};
  static const char *const bad[] = {
      "\xc0\xaf",     "\xc1\xbf",         "\xe0\x80\xaf",
      "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
      "\x80",         "\xe2\x82",         "\xf0\x9f\x98",
      "\xff"};
  size_t n = 0, parts = rnd() % 12;
  for (size_t i = 0; i < parts; i++) {
    const char *p = pieces[rnd() % (sizeof pieces / sizeof *pieces)];
    if (invalid_ok && rnd() % 40 == 0)
      p = bad[rnd() % (sizeof bad / sizeof *bad)];
    size_t l = strlen(p);
    if (rnd() % 30 == 0) /* a NUL inside */
      p = "\0", l = 1;
    if (n + l > cap)
      break;
    memcpy(b + n, p, l);
    n += l;
  }
  return n;
}

static json_t *rnd_value(int depth, bool invalid_ok);

static json_t *rnd_scalar(bool invalid_ok) {
  static const double reals[] = {0.0,   -0.0,   0.1,      1.0,  -2.5,
                                 1e300, 5e-324, 123456.0, 1e-7, 3.14159};
  static const json_int_t ints[] = {
      0, 1, -1, 9, 10, 1700000000123, INT64_MAX, INT64_MIN, -42};
  char t[64];
  switch (rnd() % 7) {
  case 0:
    return json_stringn_nocheck(t, rnd_text(t, sizeof t, invalid_ok));
  case 1:
    return json_integer(ints[rnd() % (sizeof ints / sizeof *ints)]);
  case 2:
    return json_real(reals[rnd() % (sizeof reals / sizeof *reals)]);
  case 3:
    return json_true();
  case 4:
    return json_false();
  case 5:
    return json_null();
  default:
    return json_integer((json_int_t)(rnd() >> (rnd() % 64)));
  }
}

static json_t *rnd_value(int depth, bool invalid_ok) {
  unsigned kind = depth > 3 ? 2 : (unsigned)(rnd() % 3);
  if (kind == 2)
    return rnd_scalar(invalid_ok);
  json_t *c = kind ? json_array() : json_object();
  size_t n = rnd() % 6;
  for (size_t i = 0; i < n; i++) {
    json_t *v = rnd_value(depth + 1, invalid_ok);
    if (kind) {
      json_array_append_new(c, v);
    } else {
      char k[64];
      size_t kl = rnd_text(k, sizeof k, false);
      json_object_setn_new_nocheck(c, k, kl, v);
    }
  }
  return c;
}

/* Byte for byte json_dumps(JSON_COMPACT) and a newline; both refuse the
 * same invalid string values.  (Keys are kept valid: jansson writes a
 * broken line for a key that is not UTF-8, the encoder refuses it.) */
static void test_line_vs_jansson(void) {
  int compared = 0, refused = 0;
  char *buf = NULL;
  size_t cap = 0;
  for (int i = 0; i < 3000; i++) {
    json_t *obj = json_object();
    size_t n = 1 + rnd() % 8;
    for (size_t m = 0; m < n; m++) {
      char k[64];
      size_t kl = rnd_text(k, sizeof k, false);
      json_object_setn_new_nocheck(obj, k, kl, rnd_value(1, i % 2));
    }
    char *ref = json_dumps(obj, JSON_COMPACT);
    size_t len = 0;
    int rc = item_line_append(&buf, &len, &cap, obj, -1, 1u << 20);
    if (!ref) {
      CHECK_INT(rc, -EINVAL);
      CHECK_INT(len, 0);
      refused++;
    } else {
      CHECK_INT(rc, 0);
      CHECK(len == strlen(ref) + 1 && memcmp(buf, ref, len - 1) == 0 &&
            buf[len - 1] == '\n');
      compared++;
    }
    free(ref);
    json_decref(obj);
  }
  CHECK(compared > 2000);
  CHECK(refused > 100);

  /* The stamp goes first; an empty object gets no comma. */
  json_t *o = json_pack("{s:i, s:[]}", "a", 1, "b");
  size_t len = 0;
  CHECK_INT(item_line_append(&buf, &len, &cap, o, 1700000000123, 100), 0);
  CHECK(len == 41 &&
        !memcmp(buf, "{\"timestamp\":1700000000123,\"a\":1,\"b\":[]}\n", 41));
  json_decref(o);
  o = json_object();
  len = 0;
  CHECK_INT(item_line_append(&buf, &len, &cap, o, 5, 100), 0);
  CHECK(len == 16 && !memcmp(buf, "{\"timestamp\":5}\n", 16));
  /* Too long, too deep, not an object: refused, the buffer as it was. */
  json_object_set_new(o, "s", json_string("0123456789012345678901234567890"));
  CHECK_INT(item_line_append(&buf, &len, &cap, o, -1, 30), -E2BIG);
  CHECK_INT(len, 16);
  CHECK_INT(item_line_append(&buf, &len, &cap, o, -1, 39), 0);
  CHECK_INT(len, 16 + 40);
  json_t *deep = json_array(), *leaf = deep;
  for (int d = 0; d < ITEM_LINE_DEPTH + 5; d++) {
    json_t *next = json_array();
    json_array_append_new(leaf, next);
    leaf = next;
  }
  json_object_set_new(o, "deep", deep);
  CHECK_INT(item_line_append(&buf, &len, &cap, o, -1, 1u << 20), -EINVAL);
  CHECK_INT(len, 56);
  json_t *arr = json_array();
  CHECK_INT(item_line_append(&buf, &len, &cap, arr, -1, 100), -EINVAL);
  json_decref(arr);
  json_t *badkey = json_object();
  json_object_setn_new_nocheck(badkey, "ab\xff", 3, json_true());
  CHECK_INT(item_line_append(&buf, &len, &cap, badkey, -1, 100), -EINVAL);
  CHECK_INT(len, 56);
  json_decref(badkey);
  json_decref(o);
  free(buf);
}

/* ------------------------------------------------------------------ */
/* The store                                                           */

/* 300 items of ~120 bytes in 4 KiB segments: several rotations, every
 * item back newest first, and the segment names as documented. */
static void test_order(void) {
  item_store *s = open_store(4096, 0, 0);
  CHECK(exists("items"));
  for (int i = 0; i < 300; i++)
    CHECK_INT(append(s, 1700000000000 + i, i, 40), 0);
  item_store_flush(s);
  got *g = scan(s, 0, 0);
  CHECK_INT(g->n, 300);
  CHECK_INT(g->bad, 0);
  CHECK(descending_from(g, 299));
  CHECK_INT(g->ts[0], 1700000000299);
  CHECK_INT(g->ts[299], 1700000000000);
  free(g);
  item_store_usage u;
  item_store_get_usage(s, &u);
  CHECK(u.segments >= 8);
  CHECK_INT(u.items, 300);
  CHECK_INT(u.errors, 0);
  char *names = list_segments();
  CHECK_INT(count_lines(names), u.segments);
  CHECK(strncmp(names, "1700000000000-00000001.jsonl\n", 29) == 0);

  /* Stopping early: the visitor's false ends the scan. */
  g = scan(s, 0, 5);
  CHECK_INT(g->n, 5);
  CHECK(descending_from(g, 299));
  free(g);
  item_store_close(s);
}

/* Lines crossing the reader's 1 MiB chunks, and lines longer than a
 * chunk, come back whole. */
static void test_chunks(void) {
  clean_items();
  item_store *s = open_store(64u << 20, 0, 0);
  for (int i = 0; i < 3000; i++)
    CHECK_INT(append(s, 1700000000000 + i, i, i ? 900 + i % 200 : 1500000),
              0); /* the file's first line spans two chunks */
  CHECK_INT(append(s, 1700000003000, 3000, 3u << 20), 0); /* 3 MiB */
  CHECK_INT(append(s, 1700000003001, 3001, 10), 0);
  item_store_flush(s);
  got *g = scan(s, 0, 0);
  CHECK_INT(g->n, 3002);
  CHECK_INT(g->bad, 0);
  CHECK(descending_from(g, 3001));
  CHECK(g->len[1] > 3u << 20);
  CHECK(g->len[3001] > 1500000);
  free(g);
  item_store_usage u;
  item_store_get_usage(s, &u);
  CHECK_INT(u.segments, 1);
  item_store_close(s);
}

/* A new run registers the old segments, never appends to them, and
 * starts its own after them. */
static void test_reopen(void) {
  clean_items();
  item_store *s = open_store(4096, 0, 0);
  for (int i = 0; i < 100; i++)
    CHECK_INT(append(s, 1700000000000 + i, i, 40), 0);
  item_store_close(s); /* close flushes */
  char before[65536];
  snprintf(before, sizeof before, "%s", list_segments());
  int nseg = count_lines(before);
  CHECK(nseg >= 3);
  char last[64];
  snprintf(last, sizeof last, "items/%.28s", before + (size_t)(nseg - 1) * 29);
  long last_size = file_size(last);

  s = open_store(4096, 0, 0);
  item_store_usage u;
  item_store_get_usage(s, &u);
  CHECK_INT(u.segments, nseg);
  CHECK_INT(u.items, 0);
  got *g = scan(s, 0, 0);
  CHECK_INT(g->n, 100);
  CHECK(descending_from(g, 99));
  free(g);
  for (int i = 100; i < 110; i++)
    CHECK_INT(append(s, 1700000001000 + i, i, 40), 0);
  item_store_flush(s);
  CHECK_INT(file_size(last), last_size);
  item_store_get_usage(s, &u);
  CHECK_INT(u.segments, nseg + 1);
  g = scan(s, 0, 0);
  CHECK_INT(g->n, 110);
  CHECK(descending_from(g, 109));
  free(g);
  /* The new segment's sequence follows the old ones. */
  const char *names = list_segments();
  char want[40];
  snprintf(want, sizeof want, "1700000001100-%08d.jsonl\n", nseg + 1);
  CHECK(strstr(names, want) != NULL);
  item_store_close(s);
}

/* Retention by size: oldest closed segments go, the open one and files
 * not named like segments stay. */
static void test_retention_size(void) {
  clean_items();
  make_items_dir();
  static char big[50000];
  memset(big, 'x', sizeof big);
  write_file("items/big.log", big, sizeof big);
  write_str("items/0000000000001-00000001.jsonl.bak", "{}\n");
  item_store *s = open_store(2000, 10000, 0);
  for (int i = 0; i < 400; i++) {
    CHECK_INT(append(s, 1700000000000 + i, i, 100), 0);
    if (i % 10 == 9) {
      item_store_flush(s);
      item_store_retain(s, time(NULL));
    }
  }
  item_store_flush(s);
  item_store_retain(s, time(NULL));
  item_store_usage u;
  item_store_get_usage(s, &u);
  CHECK(u.bytes <= 10000);
  CHECK(u.bytes > 10000 - 2500);
  CHECK(u.deleted_segments > 0);
  CHECK_INT(u.items, 400);
  CHECK(exists("items/big.log"));
  CHECK(exists("items/0000000000001-00000001.jsonl.bak"));
  /* On disk what the store counts. */
  const char *names = list_segments();
  CHECK_INT(count_lines(names), u.segments);
  long sum = 0;
  for (const char *p = names; *p; p += 29) {
    char rel[64];
    snprintf(rel, sizeof rel, "items/%.28s", p);
    sum += file_size(rel);
  }
  CHECK_INT(sum, u.bytes);
  got *g = scan(s, 0, 0);
  CHECK(g->n > 30 && g->n < 100);
  CHECK(descending_from(g, 399));
  free(g);

  /* A limit below one segment: only the open segment is left. */
  item_store_close(s);
  s = open_store(1u << 20, 1, 0);
  CHECK_INT(append(s, 1700000001000, 1000, 10), 0);
  item_store_flush(s);
  item_store_retain(s, time(NULL));
  item_store_get_usage(s, &u);
  CHECK_INT(u.segments, 1);
  g = scan(s, 0, 0);
  CHECK_INT(g->n, 1);
  CHECK_INT(g->idx[0], 1000);
  free(g);
  CHECK(exists("items/big.log"));
  item_store_close(s);
}

/* Retention by age, with earlier runs' segments aged by hand. */
static void test_retention_age(void) {
  clean_items();
  make_items_dir();
  time_t now = time(NULL);
  const char *old[] = {"items/1600000000000-00000001.jsonl",
                       "items/1600000000001-00000002.jsonl",
                       "items/1600000000002-00000003.jsonl"};
  for (int i = 0; i < 3; i++) {
    write_str(old[i], "{\"timestamp\":1600000000000,\"index\":1}\n");
    set_mtime(old[i], now - 10 * 86400);
  }
  const char *recent = "items/1600000000003-00000004.jsonl";
  write_str(recent, "{\"timestamp\":1600000000003,\"index\":2}\n");
  set_mtime(recent, now - 60);
  write_str("items/README", "not a segment\n");
  set_mtime("items/README", now - 10 * 86400);
  write_str("items/1600000000000-00000009.jsonl.tmp", "{}\n");
  set_mtime("items/1600000000000-00000009.jsonl.tmp", now - 10 * 86400);
  char p[512], target[512];
  path_of("README", target, sizeof target);
  write_str("README", "outside\n");
  path_of("items/1600000000000-00000010.jsonl", p, sizeof p);
  CHECK(symlink(target, p) == 0);
  path_of("items/1600000000000-00000011.jsonl", p, sizeof p);
  CHECK(mkdir(p, 0755) == 0);

  item_store *s = open_store(0, 0, 3600);
  item_store_usage u;
  item_store_get_usage(s, &u);
  CHECK_INT(u.segments, 4);
  CHECK_INT(append(s, 1700000000000, 7, 10), 0);
  item_store_flush(s);
  item_store_retain(s, now);
  item_store_get_usage(s, &u);
  CHECK_INT(u.deleted_segments, 3);
  CHECK_INT(u.segments, 2);
  for (int i = 0; i < 3; i++)
    CHECK(!exists(old[i]));
  CHECK(exists(recent));
  /* Far in the future every closed segment is too old; the open one is
   * never deleted, nor anything not named like a segment. */
  item_store_retain(s, now + 30 * 86400);
  item_store_get_usage(s, &u);
  CHECK_INT(u.deleted_segments, 4);
  CHECK_INT(u.segments, 1);
  CHECK(!exists(recent));
  CHECK(exists("items/1700000000000-00000005.jsonl"));
  CHECK(exists("items/README"));
  CHECK(exists("items/1600000000000-00000009.jsonl.tmp"));
  CHECK(exists("items/1600000000000-00000010.jsonl"));
  CHECK(exists("items/1600000000000-00000011.jsonl"));
  CHECK(exists("README"));
  got *g = scan(s, 0, 0);
  CHECK_INT(g->n, 1);
  CHECK_INT(g->idx[0], 7);
  free(g);
  item_store_close(s);
  /* Closed by the end of its run, it ages like any other. */
  s = open_store(0, 0, 3600);
  item_store_retain(s, now + 30 * 86400);
  CHECK(!exists("items/1700000000000-00000005.jsonl"));
  item_store_close(s);
  path_of("README", p, sizeof p);
  unlink(p);
}

/* since_ms: whole segments are skipped by their newest item (the mtime
 * for an earlier run's), lines by their own timestamp. */
static void test_since(void) {
  clean_items();
  make_items_dir();
  /* An earlier run's segment last written in 2023 whose lines claim to
   * be from 2027: judged by its mtime, it is skipped as a whole. */
  const char *prev = "items/1700000000000-00000001.jsonl";
  write_str(prev, "{\"timestamp\":1800000000000,\"index\":-5}\n"
                  "{\"timestamp\":1800000000001,\"index\":-4}\n");
  set_mtime(prev, 1700000010);
  item_store *s = open_store(2048, 0, 0);
  int64_t t0 = 1750000000000;
  for (int i = 0; i < 100; i++)
    CHECK_INT(append(s, t0 + i * 1000, i, 40), 0);
  /* Out of order: an old item after new ones is skipped, not a stop. */
  CHECK_INT(append(s, t0 - 5000, 100, 40), 0);
  CHECK_INT(append(s, t0 + 200000, 101, 40), 0);
  item_store_flush(s);

  got *g = scan(s, 0, 0);
  CHECK_INT(g->n, 104);
  CHECK_INT(g->idx[103], -5);
  free(g);
  g = scan(s, t0 + 50000, 0);
  CHECK_INT(g->n, 51);
  CHECK_INT(g->idx[0], 101);
  for (int i = 1; i < 51; i++)
    CHECK_INT(g->idx[i], 100 - i);
  for (int i = 0; i < 51; i++)
    CHECK(g->ts[i] >= t0 + 50000);
  free(g);
  g = scan(s, t0 + 300000, 0);
  CHECK_INT(g->n, 0);
  free(g);
  /* A bound older than everything the earlier run's mtime allows. */
  g = scan(s, 1700000000000, 0);
  CHECK_INT(g->n, 104);
  free(g);
  item_store_close(s);
}

/* Appended but not flushed is invisible; an earlier run's unfinished
 * last line is never visible, even when it happens to end in '}'. */
static void test_partial(void) {
  clean_items();
  make_items_dir();
  write_str("items/1700000000000-00000001.jsonl",
            "{\"timestamp\":1700000000000,\"index\":0}\n"
            "{\"timestamp\":1700000000001,\"index\":1}\n"
            "{\"timestamp\":1700000000002,\"index\":2,\"src\":{\"ip\":\"x\"}");
  item_store *s = open_store(0, 0, 0);
  got *g = scan(s, 0, 0);
  CHECK_INT(g->n, 2);
  CHECK(descending_from(g, 1));
  free(g);
  for (int i = 2; i < 5; i++)
    CHECK_INT(append(s, 1700000000000 + i, i, 10), 0);
  g = scan(s, 0, 0);
  CHECK_INT(g->n, 2);
  free(g);
  item_store_flush(s);
  g = scan(s, 0, 0);
  CHECK_INT(g->n, 5);
  CHECK(descending_from(g, 4));
  free(g);
  item_store_close(s);
}

/* Items without a timestamp get the wall clock's; what cannot be stored
 * is refused and counted. */
static void test_stamp_and_refusals(void) {
  clean_items();
  item_store *s = open_store(0, 0, 0);
  struct timespec a, b;
  clock_gettime(CLOCK_REALTIME, &a);
  json_t *empty = json_object();
  json_t *one = json_pack("{s:i}", "index", 1);
  json_t *strts = json_pack("{s:s, s:i}", "timestamp", "soon", "index", 2);
  json_t *num = json_integer(5);
  json_t *huge = make_item(1, 3, 0);
  char *hp = malloc(17u << 20);
  memset(hp, 'h', 17u << 20);
  json_object_set_new(huge, "pad", json_stringn(hp, 17u << 20));
  free(hp);
  CHECK_INT(item_store_append(s, empty), 0);
  CHECK_INT(item_store_append(s, one), 0);
  CHECK_INT(item_store_append(s, strts), 0);
  CHECK_INT(item_store_append(s, num), -EINVAL);
  CHECK_INT(item_store_append(s, huge), -E2BIG);
  clock_gettime(CLOCK_REALTIME, &b);
  json_decref(empty);
  json_decref(one);
  json_decref(strts);
  json_decref(num);
  json_decref(huge);
  item_store_flush(s);
  int64_t lo = (int64_t)a.tv_sec * 1000 + a.tv_nsec / 1000000;
  int64_t hi = (int64_t)b.tv_sec * 1000 + b.tv_nsec / 1000000;
  got *g = scan(s, 0, 0);
  CHECK_INT(g->n, 3);
  CHECK_INT(g->bad, 0);
  CHECK_INT(g->idx[0], 2);
  CHECK_INT(g->ts[0], 0); /* a string timestamp is not one */
  CHECK_INT(g->idx[1], 1);
  CHECK(g->ts[1] >= lo && g->ts[1] <= hi);
  CHECK(g->ts[2] >= lo && g->ts[2] <= hi);
  free(g);
  item_store_usage u;
  item_store_get_usage(s, &u);
  CHECK_INT(u.items, 3);
  CHECK_INT(u.errors, 2);
  item_store_close(s);
}

/* Garbage in items/: random bytes with NULs, no newline at all, a line
 * past 16 MiB, broken JSON, empty files.  Only whole object-shaped lines
 * come out, the rest is skipped without harm. */
static void test_corrupt(void) {
  clean_items();
  make_items_dir();
  size_t n = 200000;
  char *junk = malloc(18u << 20);
  srand(7);
  for (size_t i = 0; i < n; i++) {
    junk[i] = (char)(rand() & 0xff);
    if (junk[i] == '{')
      junk[i] = '\0';
  }
  static const char good[] = "\n{\"timestamp\":1700000000000,\"index\":1}\n";
  memcpy(junk + n, good, sizeof good - 1);
  write_file("items/1700000000000-00000001.jsonl", junk, n + sizeof good - 1);
  memset(junk, 'z', 3u << 20);
  write_file("items/1700000000001-00000002.jsonl", junk, 3u << 20);
  /* index 2, a 17 MiB object-shaped line, index 3 */
  static const char l2[] = "{\"timestamp\":1700000000002,\"index\":2}\n{";
  size_t off = 0;
  memcpy(junk, l2, sizeof l2 - 1);
  off = sizeof l2 - 1;
  memset(junk + off, 'y', 17u << 20);
  off += 17u << 20;
  static const char l3[] = "}\n{\"timestamp\":1700000000003,\"index\":3}\n";
  memcpy(junk + off, l3, sizeof l3 - 1);
  off += sizeof l3 - 1;
  write_file("items/1700000000002-00000003.jsonl", junk, off);
  free(junk);
  write_str("items/1700000000003-00000004.jsonl",
            "{\"timestamp\":1700000000004,\"index\":");
  write_str("items/1700000000004-00000005.jsonl", "");
  write_str("items/1700000000005-00000006.jsonl", "\n\n\n");
  static const char nul[] = "{\"timestamp\":1700000000006,\"index\":4,"
                            "\"a\":\"\0\"}\n"
                            "{\"timestamp\":1700000000007,\"a\":1,}\n"
                            "{\"timestamp\":1700000000008,\"index\":5}\r\n"
                            "\"timestamp\":1700000000009\n"
                            "{\"timestamp\":1700000000010,\"index\":6}\n";
  write_file("items/1700000000006-00000007.jsonl", nul, sizeof nul - 1);

  item_store *s = open_store(0, 0, 0);
  got *g = scan(s, 0, 0);
  /* 6, then the two object-shaped lines that are not JSON, 3, 2, 1. */
  CHECK_INT(g->n, 6);
  CHECK_INT(g->bad, 2);
  int want[] = {6, -1, -1, 3, 2, 1};
  for (int i = 0; i < 6 && i < g->n; i++)
    CHECK_INT(g->idx[i], want[i]);
  CHECK_INT(g->len[2], 45); /* the NUL is inside the line */
  free(g);
  /* Nothing of it is deleted or appended to by a new run. */
  CHECK_INT(append(s, 1700000000100, 9, 10), 0);
  item_store_flush(s);
  CHECK_INT(file_size("items/1700000000001-00000002.jsonl"), 3u << 20);
  CHECK_INT(file_size("items/1700000000003-00000004.jsonl"), 35);
  g = scan(s, 0, 0);
  CHECK_INT(g->n, 7);
  CHECK_INT(g->idx[0], 9);
  free(g);
  item_store_close(s);
}

/* Random files (braces, quotes, NULs, newlines at varying rates, so
 * lines from empty to megabytes cross the reader's 1 MiB chunks in every
 * way) against a plain forward split of the same bytes. */
typedef struct lines {
  int64_t n;
  size_t len[4096];
  uint64_t hash[4096];
} lines;

static uint64_t fnv(const char *p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
  return h;
}

static bool keep_line(void *u, const char *line, size_t len, int64_t ts) {
  lines *l = u;
  if (l->n < 4096) {
    l->len[l->n] = len;
    l->hash[l->n] = fnv(line, len);
  }
  l->n++;
  return true;
}

/* What the reader must give: whole object-shaped lines, last first (the
 * newest 4096 kept, all counted). */
static void expected_lines(const char *b, size_t n, lines *want) {
  size_t end = n;
  while (end > 0 && b[end - 1] != '\n')
    end--; /* the unfinished last line */
  size_t *starts = malloc((end + 1) * sizeof *starts);
  size_t *lens = malloc((end + 1) * sizeof *lens);
  int64_t count = 0;
  for (const char *p = b; p < b + end;) {
    const char *nl = memchr(p, '\n', (size_t)(b + end - p));
    size_t len = (size_t)(nl - p);
    if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
      starts[count] = (size_t)(p - b);
      lens[count++] = len;
    }
    p = nl + 1;
  }
  want->n = count;
  for (int64_t i = 0; i < count && i < 4096; i++) {
    want->len[i] = lens[count - 1 - i];
    want->hash[i] = fnv(b + starts[count - 1 - i], want->len[i]);
  }
  free(starts);
  free(lens);
}

static void test_random_files(void) {
  static const char alphabet[] = "{}{}\"a\0:,";
  size_t cap = 3u << 20;
  char *b = malloc(cap);
  lines *got_l = malloc(sizeof *got_l), *want = malloc(sizeof *want);
  for (int round = 0; round < 12; round++) {
    clean_items();
    make_items_dir();
    size_t n = (size_t)(rnd() % cap);
    unsigned every = 1u << (rnd() % 22); /* mean line length */
    for (size_t i = 0; i < n; i++)
      b[i] =
          rnd() % every == 0 ? '\n' : alphabet[rnd() % (sizeof alphabet - 1)];
    write_file("items/1700000000000-00000001.jsonl", b, n);
    expected_lines(b, n, want);
    item_store *s = open_store(0, 0, 0);
    got_l->n = 0;
    char err[128] = "";
    CHECK_INT(item_store_scan(s, 0, keep_line, got_l, err, sizeof err),
              want->n);
    bool same = got_l->n == want->n;
    for (int64_t i = 0; same && i < want->n && i < 4096; i++)
      same = got_l->len[i] == want->len[i] && got_l->hash[i] == want->hash[i];
    if (!same)
      fprintf(stderr, "round %d: %zu bytes, newline every %u\n", round, n,
              every);
    CHECK(same);
    item_store_close(s);
  }
  free(b);
  free(got_l);
  free(want);
}

/* A write cut short (here by RLIMIT_FSIZE, as ENOSPC would) keeps only
 * whole lines, counts the lost items, and later writes go on cleanly. */
static void test_short_write(void) {
  clean_items();
  item_store *s = open_store(0, 0, 0);
  for (int i = 0; i < 10; i++)
    CHECK_INT(append(s, 1700000000000 + i, i, 100), 0);
  item_store_flush(s);
  const char *seg = "items/1700000000000-00000001.jsonl";
  long size = file_size(seg);
  CHECK(size > 1000);
  struct rlimit old, lim;
  getrlimit(RLIMIT_FSIZE, &old);
  lim = old;
  lim.rlim_cur = (rlim_t)size + 250; /* one line and a half */
  signal(SIGXFSZ, SIG_IGN);
  CHECK(setrlimit(RLIMIT_FSIZE, &lim) == 0);
  for (int i = 10; i < 15; i++)
    CHECK_INT(append(s, 1700000000000 + i, i, 100), 0);
  item_store_flush(s);
  CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
  item_store_usage u;
  item_store_get_usage(s, &u);
  CHECK_INT(u.errors, 4);
  CHECK_INT(u.items, 11);
  long after = file_size(seg);
  CHECK(after > size && after < size + 250);
  got *g = scan(s, 0, 0);
  CHECK_INT(g->n, 11);
  CHECK(descending_from(g, 10));
  free(g);
  for (int i = 15; i < 18; i++)
    CHECK_INT(append(s, 1700000000000 + i, i, 100), 0);
  item_store_close(s);
  s = open_store(0, 0, 0);
  g = scan(s, 0, 0);
  CHECK_INT(g->n, 14);
  CHECK_INT(g->bad, 0);
  CHECK_INT(g->idx[0], 17);
  CHECK_INT(g->idx[3], 10);
  CHECK_INT(g->idx[4], 9);
  free(g);
  item_store_close(s);
}

/* Read-only: scans, never writes nor deletes. */
static void test_read_only(void) {
  item_store_opts o = {0, 1, 1, true};
  char err[256] = "";
  item_store *s = item_store_open(&o, err, sizeof err);
  CHECK(s != NULL);
  if (!s)
    return;
  got *g = scan(s, 0, 0);
  CHECK_INT(g->n, 14);
  free(g);
  CHECK_INT(append(s, 1, 1, 1), -EROFS);
  item_store_flush(s);
  item_store_retain(s, time(NULL) + 86400 * 365);
  item_store_usage u;
  item_store_get_usage(s, &u);
  CHECK_INT(u.deleted_segments, 0);
  CHECK_INT(u.segments, 1);
  item_store_close(s);
  CHECK_INT(count_lines(list_segments()), 1);
}

/* items/ leading out of the data directory is refused. */
static void test_escape(void) {
  clean_items();
  char p[512], outdir[512];
  path_of("items", p, sizeof p);
  snprintf(outdir, sizeof outdir, "%s.out", root);
  CHECK(mkdir(outdir, 0755) == 0);
  CHECK(symlink(outdir, p) == 0);
  item_store_opts o = {0};
  char err[256] = "";
  CHECK(item_store_open(&o, err, sizeof err) == NULL);
  CHECK(strstr(err, "escapes the data directory") != NULL);
  CHECK(strstr(err, "item store: ") == err);
  unlink(p);
  rmdir(outdir);
}

/* A reader scanning over and over while the writer appends, flushes,
 * rotates and retention deletes: every line it sees is a whole object,
 * in strictly newest-first order. */
#define RACE_ITEMS 6000

typedef struct race {
  item_store *s;
  int failures;
  volatile int done;
} race;

static void *race_writer(void *u) {
  race *r = u;
  for (int i = 0; i < RACE_ITEMS; i++) {
    if (append(r->s, 1700000000000 + i, i, 50 + i % 300) != 0)
      r->failures++;
    if (i % 7 == 6)
      item_store_flush(r->s);
    if (i % 50 == 49)
      item_store_retain(r->s, time(NULL));
  }
  item_store_flush(r->s);
  __atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
  return NULL;
}

static void test_race(void) {
  clean_items();
  race r = {open_store(16384, 65536, 0), 0, 0};
  pthread_t t;
  CHECK(pthread_create(&t, NULL, race_writer, &r) == 0);
  int scans = 0, order_bad = 0, bad = 0;
  int64_t seen = 0;
  do {
    got *g = scan(r.s, 0, 0);
    bad += g->bad;
    for (int64_t i = 1; i < g->n && i < MAX_GOT; i++)
      if (g->idx[i] >= g->idx[i - 1])
        order_bad++;
    seen += g->n;
    free(g);
    scans++;
  } while (!__atomic_load_n(&r.done, __ATOMIC_ACQUIRE));
  pthread_join(t, NULL);
  CHECK_INT(r.failures, 0);
  CHECK_INT(bad, 0);
  CHECK_INT(order_bad, 0);
  CHECK(scans >= 2);
  CHECK(seen > 0);
  item_store_retain(r.s, time(NULL));
  got *g = scan(r.s, 0, 0);
  CHECK(g->n > 100);
  CHECK(descending_from(g, RACE_ITEMS - 1));
  free(g);
  item_store_usage u;
  item_store_get_usage(r.s, &u);
  CHECK_INT(u.items, RACE_ITEMS);
  CHECK(u.deleted_segments > 10);
  CHECK(u.bytes <= 65536);
  item_store_close(r.s);
}

int main(void) {
  memset(pad_chars, 'p', sizeof pad_chars);
  snprintf(root, sizeof root, "/tmp/wh_item_store_XXXXXX");
  if (!mkdtemp(root))
    return 1;
  CHECK(datadir_open_root(root) == 0);
  test_line_vs_jansson();
  test_order();
  test_chunks();
  test_reopen();
  test_retention_size();
  test_retention_age();
  test_since();
  test_partial();
  test_stamp_and_refusals();
  test_corrupt();
  test_random_files();
  test_short_write();
  test_read_only();
  test_escape();
  test_race();
  datadir_close_root();
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system(cmd) != 0)
    return 1;
  return CHECK_DONE();
}
