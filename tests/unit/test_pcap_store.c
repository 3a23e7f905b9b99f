/* Unit test of the per-stream PCAP store (daemon/store/pcap_store.c):
 * file format as tcpdump reads it, the writer cache's descriptor cap,
 * retention by size and age, a previous run's files, and symlinks. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "datadir.h"
#include "store/pcap_store.h"
#include "store_files.h"

static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  int n = 0;
  if (!d)
    return -1;
  while (readdir(d))
    n++;
  closedir(d);
  return n;
}

/* An Ethernet/IPv4/UDP frame of 60 bytes, so tcpdump decodes it. */
static uint8_t frame[60];

static void make_frame(void) {
  static const uint8_t hdr[] = {0,    1,  2, 3,  4,    5,    0,    1,
                                2,    3,  4, 6,  0x08, 0x00, /* eth */
                                0x45, 0,  0, 46, 0,    0,    0,    0,
                                64,   17, 0, 0,  10,   0,    0,    1, /* ip */
                                10,   0,  0, 2,  0x30, 0x39, 0x00, 0x35,
                                0,    26, 0, 0}; /* udp */
  memcpy(frame, hdr, sizeof hdr);
}

static int put(pcap_store *s, uint64_t stream, bool udp, time_t sec,
               long nsec) {
  struct timespec ts = {sec, nsec};
  return pcap_store_write(s, stream, udp, &ts, frame, sizeof frame,
                          sizeof frame);
}

static pcap_store *open_store(uint32_t max_open, uint64_t max_size,
                              uint64_t max_age) {
  pcap_store_opts o = {1, 0, max_open, max_size, max_age};
  char err[256] = "";
  pcap_store *s = pcap_store_open(&o, err, sizeof err);
  if (!s)
    fprintf(stderr, "open: %s\n", err);
  CHECK(s != NULL);
  return s;
}

/* Runs tcpdump -tt on a store file and returns its lines (malloc'd) or
 * NULL when tcpdump is not installed. */
static char *tcpdump_lines(const char *rel) {
  if (system("command -v tcpdump >/dev/null 2>&1") != 0)
    return NULL;
  char cmd[768], p[512];
  path_of(rel, p, sizeof p);
  snprintf(cmd, sizeof cmd, "tcpdump -r '%s' -tt -n 2>/dev/null | cut -c1-17",
           p);
  FILE *f = popen(cmd, "r");
  static char buf[4096];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = '\0';
  pclose(f);
  return strdup(buf);
}

static void test_names(void) {
  char b[40];
  pcap_store_name(42, false, b, sizeof b);
  CHECK_STR(b, "000000000042.pcap");
  pcap_store_name(43, true, b, sizeof b);
  CHECK_STR(b, "000000000043_udp.pcap");
  pcap_store_name(1234567890123ull, false, b, sizeof b);
  CHECK_STR(b, "1234567890123.pcap");
}

static void test_format(void) {
  pcap_store *s = open_store(0, 0, 0);
  CHECK(exists("pcaps"));
  CHECK_INT(put(s, 42, false, 1700000000, 123456789), 0);
  CHECK_INT(put(s, 43, true, 1700000001, 5000), 0);
  CHECK_INT(put(s, 42, false, 1700000002, 999999999), 0);
  pcap_store_flush(s, 42, false);
  CHECK_INT(file_size("pcaps/000000000042.pcap"), 24 + 2 * (16 + 60));
  pcap_store_end(s, 43, true);
  CHECK_INT(file_size("pcaps/000000000043_udp.pcap"), 24 + 16 + 60);
  CHECK_INT(pcap_store_total_bytes(s), 24 + 2 * 76 + 24 + 76);

  /* The global header: native byte order, v2.4, snaplen, link type. */
  char p[512];
  uint32_t h[6];
  path_of("pcaps/000000000042.pcap", p, sizeof p);
  FILE *f = fopen(p, "rb");
  CHECK(f && fread(h, 4, 6, f) == 6);
  if (f)
    fclose(f);
  CHECK(h[0] == 0xa1b2c3d4u && h[1] == (2u | 4u << 16));
  CHECK_INT(h[4], 262144);
  CHECK_INT(h[5], 1);

  char *out = tcpdump_lines("pcaps/000000000042.pcap");
  if (out)
    CHECK_STR(out, "1700000000.123456\n1700000002.999999\n");
  free(out);
  out = tcpdump_lines("pcaps/000000000043_udp.pcap");
  if (out)
    CHECK_STR(out, "1700000001.000005\n");
  free(out);
  pcap_store_close(s);
  /* Closing flushes what was still buffered. */
  CHECK_INT(file_size("pcaps/000000000042.pcap"), 24 + 2 * 76);
}

/* 3000 concurrent streams with a cache of 16: never more than 16 files
 * open, and every packet lands in its file (reopened in append mode). */
static void test_lru(void) {
  int base = count_fds();
  pcap_store *s = open_store(16, 0, 0);
  int peak = 0;
  for (int round = 0; round < 3; round++) {
    for (uint64_t st = 1000; st < 4000; st++) {
      CHECK_INT(put(s, st, st & 1, 1700000000 + round, 0), 0);
      int n = count_fds() - base;
      if (n > peak)
        peak = n;
    }
  }
  CHECK(peak <= 16);
  CHECK(peak >= 15);
  CHECK_INT(pcap_store_open_writers(s), 16);
  for (uint64_t st = 1000; st < 4000; st++)
    pcap_store_end(s, st, st & 1);
  CHECK_INT(pcap_store_open_writers(s), 0);
  CHECK_INT(count_fds(), base);
  CHECK_INT(file_size("pcaps/000000003001_udp.pcap"), 24 + 3 * 76);
  CHECK_INT(file_size("pcaps/000000001000.pcap"), 24 + 3 * 76);
  char *out = tcpdump_lines("pcaps/000000002500.pcap");
  if (out)
    CHECK_STR(out, "1700000000.000000\n1700000001.000000\n1700000002.000000\n");
  free(out);
  CHECK_INT(pcap_store_closed_count(s), 3000);
  pcap_store_close(s);
}

static const char *const rnames[] = {
    "pcaps/000000000001.pcap", "pcaps/000000000002_udp.pcap",
    "pcaps/000000000003.pcap", "pcaps/000000000004.pcap",
    "pcaps/000000000005.pcap"};

static void clean_pcaps(void) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s/pcaps'", root);
  CHECK(system(cmd) == 0);
}

/* Five closed streams of 100 bytes, mtimes t0+10*i (stream 1 oldest),
 * plus a live one and files the store did not write. */
static pcap_store *setup_retention(uint64_t max_size, uint64_t max_age,
                                   time_t t0) {
  clean_pcaps();
  pcap_store *s = open_store(4, max_size, max_age);
  for (int i = 0; i < 5; i++) {
    uint64_t st = (uint64_t)i + 1;
    CHECK_INT(put(s, st, st == 2, 1700000000, 0), 0);
    pcap_store_flush(s, st, st == 2);
  }
  /* End in an order unlike the mtimes: retention goes by mtime. */
  for (int i = 0; i < 5; i++) {
    uint64_t st = (uint64_t)(5 - i);
    set_mtime(rnames[st - 1], t0 + 10 * (time_t)st);
    pcap_store_end(s, st, st == 2);
  }
  CHECK_INT(put(s, 6, false, 1700000000, 0), 0); /* live, oldest of all */
  pcap_store_flush(s, 6, false);
  set_mtime("pcaps/000000000006.pcap", t0 - 1000);
  char p[512];
  path_of("pcaps/foreign.pcap", p, sizeof p);
  FILE *f = fopen(p, "w");
  fputs("x", f);
  fclose(f);
  return s;
}

static void test_retention_size(void) {
  time_t t0 = 1600000000;
  /* 6 files of 100 bytes; a limit of 400 deletes the two oldest closed. */
  pcap_store *s = setup_retention(400, 0, t0);
  CHECK_INT(pcap_store_total_bytes(s), 600);
  pcap_store_retain(s, t0 + 100);
  CHECK(!exists(rnames[0]) && !exists(rnames[1]));
  CHECK(exists(rnames[2]) && exists(rnames[3]) && exists(rnames[4]));
  CHECK(exists("pcaps/000000000006.pcap") && exists("pcaps/foreign.pcap"));
  CHECK_INT(pcap_store_total_bytes(s), 400);
  CHECK_INT(pcap_store_closed_count(s), 3);
  /* A limit below the live stream leaves only the live stream. */
  pcap_store_close(s);
  s = setup_retention(50, 0, t0);
  pcap_store_retain(s, t0 + 100);
  for (int i = 0; i < 5; i++)
    CHECK(!exists(rnames[i]));
  CHECK(exists("pcaps/000000000006.pcap") && exists("pcaps/foreign.pcap"));
  CHECK_INT(pcap_store_total_bytes(s), 100);
  pcap_store_close(s);
}

static void test_retention_age(void) {
  time_t t0 = 1600000000;
  /* mtimes t0+10..t0+50; at t0+85 with 50 s, streams 1-3 are too old
   * (75, 65, 55 s) and 4 (45 s) is not. */
  pcap_store *s = setup_retention(0, 50, t0);
  pcap_store_retain(s, t0 + 85);
  CHECK(!exists(rnames[0]) && !exists(rnames[1]) && !exists(rnames[2]));
  CHECK(exists(rnames[3]) && exists(rnames[4]));
  CHECK(exists("pcaps/000000000006.pcap")); /* live: never */
  CHECK_INT(pcap_store_closed_count(s), 2);
  /* Exactly max_age old is kept. */
  pcap_store_retain(s, t0 + 90);
  CHECK(exists(rnames[3]));
  pcap_store_retain(s, t0 + 91);
  CHECK(!exists(rnames[3]) && exists(rnames[4]));
  pcap_store_close(s);
}

/* Files of a previous run are closed streams, ordered by mtime; a stream
 * number used again starts a new file. */
static void test_previous_run(void) {
  time_t t0 = 1600000000;
  pcap_store *s = setup_retention(0, 0, t0);
  pcap_store_end(s, 6, false);
  pcap_store_close(s);
  s = open_store(4, 250, 0);
  CHECK_INT(pcap_store_closed_count(s), 6);
  CHECK_INT(pcap_store_total_bytes(s), 600);
  /* Stream 3 again: truncated, counted as live (76 + 24 bytes). */
  CHECK_INT(put(s, 3, false, 1700000009, 0), 0);
  pcap_store_flush(s, 3, false);
  CHECK_INT(file_size(rnames[2]), 100);
  CHECK_INT(pcap_store_closed_count(s), 5);
  /* Oldest by mtime: 6 (t0-1000), 1, 2, 4, 5; 250 bytes keeps 3 and 5. */
  pcap_store_retain(s, t0 + 100);
  CHECK(!exists("pcaps/000000000006.pcap"));
  CHECK(!exists(rnames[0]) && !exists(rnames[1]) && !exists(rnames[3]));
  CHECK(exists(rnames[2]) && exists(rnames[4]));
  CHECK(exists("pcaps/foreign.pcap"));
  pcap_store_close(s);
}

static void test_symlinks(void) {
  clean_pcaps();
  char p[512], target[512];
  snprintf(target, sizeof target, "%s.outside", root);
  FILE *f = fopen(target, "w");
  fputs("keep", f);
  fclose(f);
  pcap_store *s = open_store(4, 0, 0);
  /* A planted symlink in pcaps/ is not followed. */
  path_of("pcaps/000000000007.pcap", p, sizeof p);
  CHECK(symlink(target, p) == 0);
  CHECK(put(s, 7, false, 1, 0) < 0);
  pcap_store_close(s);
  /* pcaps/ itself leading out of the data directory is refused. */
  clean_pcaps();
  path_of("pcaps", p, sizeof p);
  char outdir[512];
  snprintf(outdir, sizeof outdir, "%s.dir", root);
  CHECK(mkdir(outdir, 0755) == 0);
  CHECK(symlink(outdir, p) == 0);
  pcap_store_opts o = {1, 0, 0, 0, 0};
  char err[256] = "";
  CHECK(pcap_store_open(&o, err, sizeof err) == NULL);
  CHECK(strstr(err, "escapes the data directory") != NULL);
  struct stat st;
  CHECK(stat(target, &st) == 0 && st.st_size == 4);
  unlink(target);
  rmdir(outdir);
}

int main(void) {
  make_frame();
  snprintf(root, sizeof root, "/tmp/wh_pcap_store_XXXXXX");
  if (!mkdtemp(root))
    return 1;
  CHECK(datadir_open_root(root) == 0);
  test_names();
  test_format();
  clean_pcaps();
  test_lru();
  test_retention_size();
  test_retention_age();
  test_previous_run();
  test_symlinks();
  datadir_close_root();
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system(cmd) != 0)
    return 1;
  return CHECK_DONE();
}
