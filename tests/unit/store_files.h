/* Files under a store test's data directory `root` (set by the test). */
#ifndef WH_TEST_STORE_FILES_H
#define WH_TEST_STORE_FILES_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static char root[256];

static void path_of(const char *rel, char *buf, size_t cap) {
  snprintf(buf, cap, "%s/%s", root, rel);
}

static bool exists(const char *rel) {
  char p[512];
  path_of(rel, p, sizeof p);
  return access(p, F_OK) == 0;
}

static long file_size(const char *rel) {
  char p[512];
  struct stat st;
  path_of(rel, p, sizeof p);
  return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

static void set_mtime(const char *rel, time_t t) {
  char p[512];
  path_of(rel, p, sizeof p);
  struct timespec ts[2] = {{t, 0}, {t, 0}};
  CHECK(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW) == 0);
}

#endif
