/* Unit test of the confined resolver (daemon/datadir.c): lexical
 * normalisation, and opening beneath the data directory with openat2 and
 * with the fallback walk, against a tree of symlinks that try to leave. */
#include "config.h"

#include "check.h"
#include "datadir.h"
#include "datadir_internal.h"

#include <wirehook/plugin.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char top[PATH_MAX];  /* the test's temporary directory */
static char data[PATH_MAX]; /* top/data: the data directory */

static void path_in(char *out, const char *dir, const char *rel) {
  /* The test's paths are short; a cut one would fail its checks. */
  if (snprintf(out, PATH_MAX, "%s/%s", dir, rel) >= PATH_MAX)
    out[0] = '\0';
}

static void put_file(const char *dir, const char *rel, const char *text) {
  char p[PATH_MAX];
  path_in(p, dir, rel);
  FILE *f = fopen(p, "w");
  CHECK(f != NULL);
  if (f) {
    fputs(text, f);
    fclose(f);
  }
}

static void put_link(const char *rel, const char *target) {
  char p[PATH_MAX];
  path_in(p, data, rel);
  CHECK(symlink(target, p) == 0);
}

/* Reads what fd holds (up to 63 bytes) and closes it. */
static const char *slurp(int fd) {
  static char buf[64];
  buf[0] = '\0';
  if (fd < 0)
    return "(no fd)";
  ssize_t n = read(fd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = '\0';
  close(fd);
  return buf;
}

/* Non-zero when fd refers to top/<rel>; closes fd. */
static int is_file(int fd, const char *rel) {
  char p[PATH_MAX];
  struct stat a, b;
  path_in(p, top, rel);
  int same = fd >= 0 && fstat(fd, &a) == 0 && stat(p, &b) == 0 &&
             a.st_dev == b.st_dev && a.st_ino == b.st_ino;
  if (fd >= 0)
    close(fd);
  return same;
}

static int exists(const char *rel) {
  char p[PATH_MAX];
  struct stat st;
  path_in(p, top, rel);
  return lstat(p, &st) == 0;
}

static void check_close(int fd) {
  CHECK(fd >= 0);
  if (fd >= 0)
    close(fd);
}

static void test_normalize(void) {
  static const struct {
    const char *in, *out; /* out NULL: escapes */
  } table[] = {
      {"", ""},
      {".", ""},
      {"./", ""},
      {"a", "a"},
      {"a/", "a"},
      {"./a", "a"},
      {"a//b", "a/b"},
      {"a/./b", "a/b"},
      {"a/../b", "b"},
      {"a/b/..", "a"},
      {"a/..", ""},
      {"a/b/../../c", "c"},
      {"...", "..."},
      {"..a", "..a"},
      {"a/.../b", "a/.../b"},
      {"a/b/c", "a/b/c"},
      {"..", NULL},
      {"../x", NULL},
      {"a/../../x", NULL},
      {"a/b/../../..", NULL},
      {"/", NULL},
      {"/etc/passwd", NULL},
      {"//a", NULL},
      {"./../a", NULL},
  };
  char out[PATH_MAX];
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    int rc = datadir_normalize(table[i].in, out, sizeof out);
    if (table[i].out) {
      CHECK_INT(rc, 0);
      CHECK_STR(out, table[i].out);
    } else {
      CHECK_INT(rc, WH_ERR_ESCAPE);
    }
  }
  CHECK_INT(datadir_normalize("abc", out, 3), -ENAMETOOLONG);
  CHECK_INT(datadir_normalize("abc", out, 4), 0);
  CHECK_INT(datadir_normalize(NULL, out, 4), -EINVAL);
}

/* The tree every open test runs against. */
static void make_tree(void) {
  char p[PATH_MAX];
  put_file(top, "outside.txt", "outside");
  path_in(p, data, "dir");
  CHECK(mkdir(p, 0755) == 0);
  put_file(data, "f.txt", "f");
  put_file(data, "dir/x", "x");
  path_in(p, top, "outside.txt");
  put_link("out_abs", "/");
  put_link("out_abs_file", p);
  put_link("out_rel", "../outside.txt");
  put_link("out_rel_dir", "..");
  put_link("out_new", "../created.txt");
  put_link("dir/up2", "../../outside.txt");
  put_link("dir/up", "../f.txt");
  put_link("in_rel", "dir/x");
  put_link("in_dir", "dir");
  put_link("in_dir_slash", "dir/");
  put_link("in_up", "dir/../f.txt");
  put_link("in_chain", "in_up");
  put_link("loop", "loop");
  put_link("dangling_in", "dir/new.txt");
}

static void test_open_escapes(void) {
  CHECK_INT(datadir_open("out_abs", O_RDONLY, 0), WH_ERR_ESCAPE);
  CHECK_INT(datadir_open("out_abs/etc/passwd", O_RDONLY, 0), WH_ERR_ESCAPE);
  CHECK_INT(datadir_open("out_abs_file", O_RDONLY, 0), WH_ERR_ESCAPE);
  CHECK_INT(datadir_open("out_rel", O_RDONLY, 0), WH_ERR_ESCAPE);
  CHECK_INT(datadir_open("out_rel_dir/outside.txt", O_RDONLY, 0),
            WH_ERR_ESCAPE);
  CHECK_INT(datadir_open("out_rel_dir/data/f.txt", O_RDONLY, 0), WH_ERR_ESCAPE);
  CHECK_INT(datadir_open("dir/up2", O_RDONLY, 0), WH_ERR_ESCAPE);
  CHECK_INT(datadir_open("in_dir/up2", O_RDONLY, 0), WH_ERR_ESCAPE);
  CHECK_INT(datadir_open("out_abs", O_PATH, 0), WH_ERR_ESCAPE);
  CHECK_INT(datadir_open("out_rel", O_WRONLY | O_TRUNC, 0), WH_ERR_ESCAPE);
  CHECK_INT(datadir_open("out_new", O_WRONLY | O_CREAT, 0644), WH_ERR_ESCAPE);
  CHECK_INT(datadir_open("out_rel_dir/created.txt", O_WRONLY | O_CREAT, 0644),
            WH_ERR_ESCAPE);
  CHECK_INT(datadir_open("../outside.txt", O_RDONLY, 0), WH_ERR_ESCAPE);
  CHECK_INT(datadir_open("/etc/passwd", O_RDONLY, 0), WH_ERR_ESCAPE);
  CHECK_INT(datadir_open("dir/../../outside.txt", O_RDONLY, 0), WH_ERR_ESCAPE);
  CHECK(!exists("created.txt"));
  int fd = open(data, O_RDONLY); /* outside.txt was not truncated */
  CHECK(fd >= 0);
  if (fd >= 0) {
    CHECK_STR(slurp(openat(fd, "../outside.txt", O_RDONLY)), "outside");
    close(fd);
  }
}

static void test_open_inside(void) {
  CHECK_STR(slurp(datadir_open("f.txt", O_RDONLY, 0)), "f");
  CHECK_STR(slurp(datadir_open("./dir//x", O_RDONLY, 0)), "x");
  CHECK_STR(slurp(datadir_open("in_rel", O_RDONLY, 0)), "x");
  CHECK_STR(slurp(datadir_open("in_dir/x", O_RDONLY, 0)), "x");
  CHECK_STR(slurp(datadir_open("in_dir_slash/x", O_RDONLY, 0)), "x");
  CHECK_STR(slurp(datadir_open("in_up", O_RDONLY, 0)), "f");
  CHECK_STR(slurp(datadir_open("in_chain", O_RDONLY, 0)), "f");
  CHECK_STR(slurp(datadir_open("dir/up", O_RDONLY, 0)), "f");
  CHECK_STR(slurp(datadir_open("in_dir/up", O_RDONLY, 0)), "f");
  CHECK(is_file(datadir_open("", O_RDONLY | O_DIRECTORY, 0), "data"));
  CHECK(is_file(datadir_open(".", O_PATH | O_DIRECTORY, 0), "data"));
  CHECK(is_file(datadir_open("in_dir", O_PATH, 0), "data/dir"));
  CHECK(is_file(datadir_open("in_dir", O_RDONLY | O_DIRECTORY, 0), "data/dir"));
  /* O_NOFOLLOW applies to the last component only, as with open(2). */
  CHECK_INT(datadir_open("in_rel", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
  struct stat st;
  int fd = datadir_open("out_abs", O_PATH | O_NOFOLLOW, 0);
  CHECK(fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode));
  if (fd >= 0)
    close(fd);
  CHECK_INT(datadir_open("loop", O_RDONLY, 0), -ELOOP);
  CHECK_INT(datadir_open("missing/x", O_RDONLY, 0), -ENOENT);
  CHECK_INT(datadir_open("f.txt/x", O_RDONLY, 0), -ENOTDIR);
  CHECK_INT(datadir_open("f.txt", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
  CHECK_INT(datadir_open("", O_WRONLY | O_CREAT, 0644), -EISDIR);
  /* Creating through a dangling symlink that stays inside is allowed. */
  check_close(datadir_open("dangling_in", O_WRONLY | O_CREAT, 0644));
  CHECK(exists("data/dir/new.txt"));
  char p[PATH_MAX];
  path_in(p, data, "dir/new.txt");
  unlink(p);
  CHECK_INT(datadir_open("f.txt", O_WRONLY | O_CREAT | O_EXCL, 0644), -EEXIST);
}

static void test_parent(void) {
  char base[NAME_MAX + 1];
  CHECK(is_file(datadir_parent("dir/x", base, sizeof base), "data/dir"));
  CHECK_STR(base, "x");
  CHECK(is_file(datadir_parent("./f.txt", base, sizeof base), "data"));
  CHECK_STR(base, "f.txt");
  CHECK(is_file(datadir_parent("in_dir/new//", base, sizeof base), "data/dir"));
  CHECK_STR(base, "new");
  CHECK_INT(datadir_parent("", base, sizeof base), -EISDIR);
  CHECK_INT(datadir_parent(".", base, sizeof base), -EISDIR);
  CHECK_INT(datadir_parent("dir/..", base, sizeof base), -EISDIR);
  CHECK_INT(datadir_parent("../x", base, sizeof base), WH_ERR_ESCAPE);
  CHECK_INT(datadir_parent("/x", base, sizeof base), WH_ERR_ESCAPE);
  CHECK_INT(datadir_parent("out_rel_dir/x", base, sizeof base), WH_ERR_ESCAPE);
  CHECK_INT(datadir_parent("out_abs/tmp/x", base, sizeof base), WH_ERR_ESCAPE);
  CHECK_INT(datadir_parent("missing/x", base, sizeof base), -ENOENT);
  CHECK_INT(datadir_parent("dir/long-name", base, 4), -ENAMETOOLONG);
}

/* The fallback is also reachable directly, relative to any directory. */
static void test_walk_direct(void) {
  int root = datadir_fd();
  CHECK_STR(slurp(datadir_walk_open(root, "in_chain", O_RDONLY, 0)), "f");
  CHECK_STR(slurp(datadir_walk_open(root, "dir/x", O_RDONLY, 0)), "x");
  CHECK_INT(datadir_walk_open(root, "out_rel", O_RDONLY, 0), WH_ERR_ESCAPE);
  CHECK_INT(datadir_walk_open(root, "out_abs", O_RDONLY, 0), WH_ERR_ESCAPE);
  CHECK_INT(datadir_walk_open(root, "..", O_RDONLY, 0), WH_ERR_ESCAPE);
  CHECK(is_file(datadir_walk_open(root, "", O_RDONLY, 0), "data"));
}

static void test_root(void) {
  char p[PATH_MAX];
  CHECK_INT(datadir_open_root(data), 0);
  CHECK_STR(datadir_path(), data);
  CHECK(datadir_fd() >= 0);
  /* mkdir -p, and the trailing '/' is not kept. */
  path_in(p, top, "new/a/b/");
  CHECK_INT(datadir_open_root(p), 0);
  CHECK(exists("new/a/b"));
  p[strlen(p) - 1] = '\0';
  CHECK_STR(datadir_path(), p);
  datadir_close_root();
  CHECK_INT(datadir_fd(), -1);
  CHECK_STR(datadir_path(), "");
  CHECK_INT(datadir_open("f.txt", O_RDONLY, 0), -EBADF);
  path_in(p, top, "outside.txt/x");
  CHECK_INT(datadir_open_root(p), -ENOTDIR);
  CHECK_INT(datadir_open_root(data), 0);
}

int main(void) {
  snprintf(top, sizeof top, "%s/wh-datadir.XXXXXX",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
  if (!mkdtemp(top)) {
    perror("mkdtemp");
    return 1;
  }
  path_in(data, top, "data");
  test_normalize();
  CHECK_INT(datadir_open_root(data), 0);
  make_tree();
  test_root();
  for (int pass = 0; pass < 2; pass++) {
    datadir_use_openat2(pass == 0); /* pass 1: the ENOSYS fallback */
    test_open_escapes();
    test_open_inside();
    test_parent();
  }
  datadir_use_openat2(1);
  test_walk_direct();
  datadir_close_root();
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
