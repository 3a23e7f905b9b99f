/* Unit test of the pcap merge behind pcap.snapshot
 * (daemon/store/pcap_merge.c): timestamp order with ties in input order,
 * both byte orders, nanosecond inputs, skipped inputs with warnings,
 * dropped and corrupt records, many inputs through temporary passes; the
 * result is checked by parsing it and, when installed, with tcpdump and
 * tshark. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "store/pcap_merge.h"

static char dir[64];

typedef struct rec {
  uint32_t sec, frac; /* frac in the file's unit */
  uint32_t len;       /* captured bytes; 0 = a zero-length record */
  uint8_t tag;
} rec;

static uint32_t sw(uint32_t v, bool swap) {
  return swap ? __builtin_bswap32(v) : v;
}

/* An Ethernet/IPv4/UDP frame whose last byte is the tag. */
static void frame(uint8_t *f, uint32_t len, uint8_t tag) {
  static const uint8_t hdr[42] = {
      0,    1, 2,  3,  4, 5, 0,    1,    2,    3,    4, 6, 0x08, 0x00,
      0x45, 0, 0,  28, 0, 0, 0,    0,    64,   17,   0, 0, 10,   0,
      0,    1, 10, 0,  0, 2, 0x30, 0x39, 0x00, 0x35, 0, 8, 0,    0};
  memset(f, 0, len);
  memcpy(f, hdr, len < 42 ? len : 42);
  f[len - 1] = tag;
}

static const char *path_of(const char *name) {
  static char p[4][160];
  static int i;
  i = (i + 1) % 4;
  snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
  return p[i];
}

static void write_pcap(const char *name, bool swap, bool ns, uint32_t lt,
                       const rec *r, size_t n) {
  FILE *f = fopen(path_of(name), "wb");
  uint32_t h[6] = {sw(ns ? 0xa1b23c4du : 0xa1b2c3d4u, swap),
                   sw(2u | 4u << 16, swap),
                   0,
                   0,
                   sw(65535, swap),
                   sw(lt, swap)};
  if (swap) /* version fields are two 16-bit values */
    h[1] = (uint32_t)__builtin_bswap16(2) | (uint32_t)__builtin_bswap16(4)
                                                << 16;
  fwrite(h, sizeof h, 1, f);
  for (size_t i = 0; i < n; i++) {
    uint8_t buf[128];
    uint32_t rh[4] = {sw(r[i].sec, swap), sw(r[i].frac, swap),
                      sw(r[i].len, swap), sw(r[i].len ? r[i].len : 60, swap)};
    fwrite(rh, sizeof rh, 1, f);
    if (r[i].len) {
      frame(buf, r[i].len, r[i].tag);
      fwrite(buf, r[i].len, 1, f);
    }
  }
  fclose(f);
}

static void write_raw(const char *name, const void *data, size_t n) {
  FILE *f = fopen(path_of(name), "wb");
  fwrite(data, n, 1, f);
  fclose(f);
}

/* --- the io callbacks: inputs are names in dir --- */

typedef struct ctx {
  const char *const *names;
  char warnings[4096];
  int open_now, open_peak; /* descriptors of inputs open at once */
  int base_fds;
} ctx;

static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  while (d && readdir(d))
    n++;
  if (d)
    closedir(d);
  return n;
}

static int io_open(void *udata, size_t i) {
  ctx *c = udata;
  int fd = open(path_of(c->names[i]), O_RDONLY);
  int now = count_fds() - c->base_fds;
  if (now > c->open_peak)
    c->open_peak = now;
  return fd < 0 ? -2 : fd; /* -ENOENT */
}

static const char *io_name(void *udata, size_t i) {
  return ((ctx *)udata)->names[i];
}

static void io_warn(void *udata, const char *msg) {
  ctx *c = udata;
  size_t len = strlen(c->warnings);
  snprintf(c->warnings + len, sizeof c->warnings - len, "%s\n", msg);
}

/* Merges names into out.pcap; returns the pcap_merge result. */
static int run(ctx *c, const char *const *names, size_t n, int deflt) {
  memset(c, 0, sizeof *c);
  c->names = names;
  c->base_fds = count_fds();
  pcap_merge_io io = {io_open, io_name, io_warn, c};
  FILE *out = fopen(path_of("out.pcap"), "wb");
  char err[256] = "";
  int rc = pcap_merge(&io, n, out, deflt, err, sizeof err);
  fclose(out);
  if (rc)
    fprintf(stderr, "merge: %s\n", err);
  return rc;
}

/* The output as "sec.usec:tag:orig" per record, after checking the
 * header. */
static char *parse_out(uint32_t want_lt) {
  static char text[65536];
  text[0] = '\0';
  FILE *f = fopen(path_of("out.pcap"), "rb");
  uint32_t h[6];
  CHECK(fread(h, sizeof h, 1, f) == 1);
  CHECK(h[0] == 0xa1b2c3d4u && h[1] == (2u | 4u << 16));
  CHECK_INT(h[4], 262144);
  CHECK_INT(h[5], want_lt);
  uint32_t rh[4];
  uint8_t buf[300000];
  size_t len = 0;
  while (fread(rh, sizeof rh, 1, f) == 1) {
    CHECK(rh[2] > 0 && rh[2] <= sizeof buf);
    if (rh[2] == 0 || rh[2] > sizeof buf || fread(buf, rh[2], 1, f) != 1)
      break;
    len += (size_t)snprintf(text + len, sizeof text - len, "%u.%06u:%u:%u ",
                            rh[0], rh[1], buf[rh[2] - 1], rh[3]);
  }
  fclose(f);
  return text;
}

/* Runs "pre 'out.pcap' post"; NULL when prog is not installed. */
static char *tool(const char *prog, const char *pre, const char *post) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
  if (system(cmd) != 0)
    return NULL;
  snprintf(cmd, sizeof cmd, "%s '%s' %s", pre, path_of("out.pcap"), post);
  FILE *p = popen(cmd, "r");
  static char buf[8192];
  size_t n = fread(buf, 1, sizeof buf - 1, p);
  buf[n] = '\0';
  pclose(p);
  return buf;
}

static void test_order(void) {
  /* a: µs native; b: ns, swapped byte order; c: µs swapped. */
  const rec a[] = {{1, 1, 60, 0xa1}, {3, 0, 60, 0xa2}, {4, 0, 0, 0}};
  const rec b[] = {{1, 1000, 60, 0xb1}, {2, 500, 61, 0xb2}, {5, 900, 60, 0xb3}};
  const rec c[] = {{5, 0, 60, 0xc1}, {0, 999999, 60, 0xc2}};
  write_pcap("a.pcap", false, false, 1, a, 3);
  write_pcap("b.pcap", true, true, 1, b, 3);
  write_pcap("c.pcap", true, false, 1, c, 2);
  const char *const names[] = {"a.pcap", "b.pcap", "c.pcap"};
  ctx x;
  CHECK_INT(run(&x, names, 3, 1), 0);
  /* c2 comes first although c is last: each input's records are taken
   * in file order, c2 only after c1.  a1/b1 tie: input order.  c1 at
   * 5.000000000 precedes b3 at 5.000000900 (ns order); both print as
   * 5.000000.  The zero-length record of a is dropped. */
  CHECK_STR(parse_out(1), "1.000001:161:60 1.000001:177:60 2.000000:178:61 "
                          "3.000000:162:60 5.000000:193:60 0.999999:194:60 "
                          "5.000000:179:60 ");
  CHECK_STR(x.warnings, "");
  char *t = tool("tcpdump", "tcpdump -r", "-tt -n 2>/dev/null | cut -c1-17");
  if (t)
    CHECK_STR(t, "1.000001 IP 10.0.\n1.000001 IP 10.0.\n2.000000 IP 10.0.\n"
                 "3.000000 IP 10.0.\n5.000000 IP 10.0.\n0.999999 IP 10.0.\n"
                 "5.000000 IP 10.0.\n");
  t = tool("tshark", "tshark -r",
           "-T fields -e frame.time_epoch -e frame.len 2>/dev/null");
  if (t)
    CHECK_STR(t, "1.000001000\t60\n1.000001000\t60\n2.000000000\t61\n"
                 "3.000000000\t60\n5.000000000\t60\n0.999999000\t60\n"
                 "5.000000000\t60\n");
}

static void test_skips(void) {
  const rec good[] = {{10, 0, 60, 1}, {11, 0, 60, 2}, {12, 0, 60, 3}};
  const rec other[] = {{10, 5, 60, 9}};
  write_pcap("good.pcap", false, false, 1, good, 3);
  write_pcap("raw.pcap", false, false, 101, other, 1);
  const uint8_t ng[] = {0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0,    0,    0x4d, 0x3c,
                        0x2b, 0x1a, 1,    0,    0,    0, 0xff, 0xff, 0xff, 0xff,
                        0xff, 0xff, 0xff, 0xff, 0x1c, 0, 0,    0};
  write_raw("ng.pcap", ng, sizeof ng);
  write_raw("text.pcap", "hello, world, not a capture", 27);
  write_raw("short.pcap", "\xd4\xc3\xb2\xa1", 4);
  /* A corrupt length after one good record; a record cut short. */
  write_pcap("corrupt.pcap", false, false, 1, good, 1);
  uint32_t bad[4] = {10, 7, 0x7fffffff, 60};
  FILE *f = fopen(path_of("corrupt.pcap"), "ab");
  fwrite(bad, sizeof bad, 1, f);
  fclose(f);
  write_pcap("cut.pcap", false, false, 1, good + 2, 1);
  uint32_t cut[4] = {13, 0, 60, 60};
  f = fopen(path_of("cut.pcap"), "ab");
  fwrite(cut, sizeof cut, 1, f);
  fwrite("abc", 3, 1, f);
  fclose(f);
  const char *const names[] = {"missing.pcap", "raw.pcap",  "good.pcap",
                               "ng.pcap",      "text.pcap", "short.pcap",
                               "corrupt.pcap", "cut.pcap"};
  ctx x;
  CHECK_INT(run(&x, names, 8, 1), 0);
  /* raw.pcap is the first readable input: its link type (101) wins, and
   * every Ethernet input is skipped. */
  CHECK_STR(parse_out(101), "10.000005:9:60 ");
  const char *const names2[] = {"missing.pcap", "good.pcap", "raw.pcap",
                                "ng.pcap",      "text.pcap", "short.pcap",
                                "corrupt.pcap", "cut.pcap"};
  CHECK_INT(run(&x, names2, 8, 1), 0);
  CHECK_STR(parse_out(1), "10.000000:1:60 10.000000:1:60 11.000000:2:60 "
                          "12.000000:3:60 12.000000:3:60 ");
  CHECK_STR(x.warnings,
            "missing.pcap: No such file or directory; skipped\n"
            "raw.pcap: link type 101 differs from 1; skipped\n"
            "ng.pcap: pcapng is not supported; skipped\n"
            "text.pcap: not a classic pcap file; skipped\n"
            "short.pcap: not a classic pcap file; skipped\n"
            "corrupt.pcap: corrupt record length 2147483647 at offset 100; "
            "rest skipped\n"
            "cut.pcap: record at offset 100 is cut short; rest skipped\n");
  char *t = tool("tcpdump", "tcpdump -r", "-n 2>/dev/null | wc -l");
  if (t)
    CHECK_STR(t, "5\n");
}

static void test_empty(void) {
  ctx x;
  CHECK_INT(run(&x, NULL, 0, 113), 0);
  CHECK_STR(parse_out(113), "");
  const char *const names[] = {"missing.pcap"};
  CHECK_INT(run(&x, names, 1, 1), 0);
  CHECK_STR(parse_out(1), "");
  char *t = tool("tcpdump", "tcpdump -r", "-n 2>/dev/null | wc -l");
  if (t)
    CHECK_STR(t, "0\n");
}

/* 150 inputs (three groups, merged through temporary files) with many
 * ties: the result is the stable order, and at most FANIN inputs were
 * open at once. */
static void test_many(void) {
  enum { N = 150 };
  static char nbuf[N][32];
  const char *names[N];
  for (int i = 0; i < N; i++) {
    snprintf(nbuf[i], sizeof nbuf[i], "m%03d.pcap", i);
    names[i] = nbuf[i];
    /* Input i: records at seconds i%5 and 5 + i%3, nanoseconds. */
    rec r[2] = {{(uint32_t)(i % 5), 7, 60, (uint8_t)i},
                {(uint32_t)(5 + i % 3), 7, 60, (uint8_t)i}};
    write_pcap(names[i], i % 2, true, 1, r, 2);
  }
  ctx x;
  CHECK_INT(run(&x, names, N, 1), 0);
  char want[65536];
  size_t len = 0;
  for (uint32_t s = 0; s < 8; s++)
    for (int i = 0; i < N; i++)
      if ((uint32_t)(i % 5) == s || (uint32_t)(5 + i % 3) == s)
        len += (size_t)snprintf(want + len, sizeof want - len,
                                "%u.000000:%d:60 ", s, i);
  CHECK_STR(parse_out(1), want);
  CHECK(x.open_peak <= PCAP_MERGE_FANIN + 4);
  CHECK_STR(x.warnings, "");
  char *t = tool("tshark", "tshark -r", "2>/dev/null | wc -l");
  if (t)
    CHECK_STR(t, "300\n");
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/wh_merge_XXXXXX");
  if (!mkdtemp(dir))
    return 1;
  test_order();
  test_skips();
  test_empty();
  test_many();
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    return 1;
  return CHECK_DONE();
}
