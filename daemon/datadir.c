/* The data directory and its confined resolver.
 *
 * Every data-relative path is first normalised lexically (so "a/../../x"
 * is refused before touching the disk), then opened beneath an fd of the
 * data directory.  openat2(2) with RESOLVE_BENEATH makes the kernel refuse
 * any step (symlink or "..") that leaves that fd; kernels without it get a
 * walk that opens one component at a time with O_NOFOLLOW and follows
 * symlinks itself. */
#include "config.h"

#include "datadir.h"
#include "datadir_internal.h"

#include <wirehook/plugin.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Same bound as the kernel's, so a symlink loop ends in ELOOP. */
#define WALK_MAX_LINKS 40
/* openat2 answers EAGAIN when a rename races with a ".." check. */
#define OPENAT2_RETRIES 16

static int root_fd = -1;
static char root_path[PATH_MAX];
static int use_openat2 = 1;

void datadir_use_openat2(int on) {
  use_openat2 = on;
}

const char *datadir_path(void) {
  return root_path;
}

int datadir_fd(void) {
  return root_fd;
}

/* ------------------------------------------------------------------ */
/* The root                                                            */

/* mkdir -p: creates each missing ancestor; existing ones are fine, and
 * whether the last one really is a directory is left to the open. */
static int mkdir_p(const char *path) {
  char buf[PATH_MAX];
  size_t len = strlen(path);
  if (len >= sizeof buf)
    return -ENAMETOOLONG;
  memcpy(buf, path, len + 1);
  for (size_t i = 1; i <= len; i++) {
    if (buf[i] != '/' && buf[i] != '\0')
      continue;
    char saved = buf[i];
    buf[i] = '\0';
    if (mkdir(buf, 0755) < 0 && errno != EEXIST)
      return -errno;
    buf[i] = saved;
  }
  return 0;
}

/* Gives the absolute form of path in out (PATH_MAX bytes): as given
 * when already absolute (so it matches the configuration), else resolved
 * against the cwd. */
static int absolute_path(const char *path, char *out) {
  size_t len;
  if (path[0] == '/') {
    len = strlen(path);
    if (len >= PATH_MAX)
      return -ENAMETOOLONG;
    memcpy(out, path, len + 1);
  } else {
    if (!realpath(path, out))
      return -errno;
    len = strlen(out);
  }
  while (len > 1 && out[len - 1] == '/')
    out[--len] = '\0';
  return 0;
}

int datadir_open_root(const char *abs_path) {
  if (!abs_path || !abs_path[0])
    return -EINVAL;
  char abs[PATH_MAX];
  int rc = mkdir_p(abs_path);
  if (rc == 0)
    rc = absolute_path(abs_path, abs);
  if (rc < 0)
    return rc;
  int fd = open(abs_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  datadir_close_root();
  root_fd = fd;
  memcpy(root_path, abs, strlen(abs) + 1);
  return 0;
}

void datadir_close_root(void) {
  if (root_fd >= 0)
    close(root_fd);
  root_fd = -1;
  root_path[0] = '\0';
}

/* ------------------------------------------------------------------ */
/* Lexical normalisation                                               */

int datadir_normalize(const char *rel, char *out, size_t cap) {
  if (!rel || !out || cap == 0)
    return -EINVAL;
  if (rel[0] == '/')
    return WH_ERR_ESCAPE;
  size_t len = 0;
  const char *p = rel;
  while (*p) {
    const char *name = p;
    while (*p && *p != '/')
      p++;
    size_t n = (size_t)(p - name);
    while (*p == '/')
      p++;
    if (n == 0 || (n == 1 && name[0] == '.'))
      continue;
    if (n == 2 && name[0] == '.' && name[1] == '.') {
      if (len == 0)
        return WH_ERR_ESCAPE;
      while (len > 0 && out[len - 1] != '/')
        len--;
      if (len > 0)
        len--; /* the separator before the dropped component */
      continue;
    }
    size_t sep = len > 0;
    if (len + sep + n + 1 > cap)
      return -ENAMETOOLONG;
    if (sep)
      out[len++] = '/';
    memmove(out + len, name, n);
    len += n;
  }
  out[len] = '\0';
  return 0;
}

/* ------------------------------------------------------------------ */
/* openat2                                                             */

static int open_beneath(int dirfd, const char *norm, int flags, unsigned mode) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (uint64_t)(unsigned)(flags | O_CLOEXEC);
  how.mode = mode;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  const char *p = norm[0] ? norm : ".";
  for (int tries = 0;; tries++) {
    long fd = syscall(SYS_openat2, dirfd, p, &how, sizeof how);
    if (fd >= 0)
      return (int)fd;
    if (errno == EINTR || (errno == EAGAIN && tries < OPENAT2_RETRIES))
      continue;
    return errno == EXDEV ? WH_ERR_ESCAPE : -errno;
  }
}

/* ------------------------------------------------------------------ */
/* The fallback walk                                                   */

struct walk {
  int root;            /* borrowed */
  int dir;             /* owned O_PATH fd of the current directory */
  char cur[PATH_MAX];  /* where dir is, relative to root ("" = root) */
  char rest[PATH_MAX]; /* what is still to be resolved */
  size_t pos;          /* read position in rest */
  int links;           /* symlinks followed so far */
};

static int open_dir_step(int dirfd, const char *name) {
  int fd = openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  return fd < 0 ? -errno : fd;
}

/* Re-opens w->cur from the root, one component at a time with
 * O_NOFOLLOW: used after "..", so the walk never asks the kernel for a
 * parent it could not vouch for. */
static int walk_reopen_cur(struct walk *w) {
  int fd = open_dir_step(w->root, ".");
  const char *p = w->cur;
  char name[NAME_MAX + 1];
  while (fd >= 0 && *p) {
    size_t n = strcspn(p, "/");
    memcpy(name, p, n); /* components of cur were checked by the walk */
    name[n] = '\0';
    p += n + (p[n] == '/');
    int next = open_dir_step(fd, name);
    close(fd);
    fd = next;
  }
  if (fd < 0)
    return fd;
  close(w->dir);
  w->dir = fd;
  return 0;
}

static int walk_up(struct walk *w) {
  size_t len = strlen(w->cur);
  if (len == 0)
    return WH_ERR_ESCAPE;
  while (len > 0 && w->cur[len - 1] != '/')
    len--;
  w->cur[len > 0 ? len - 1 : 0] = '\0';
  return walk_reopen_cur(w);
}

static int walk_down(struct walk *w, int fd, const char *name) {
  size_t len = strlen(w->cur);
  size_t sep = len > 0;
  if (len + sep + strlen(name) + 1 > sizeof w->cur) {
    close(fd);
    return -ENAMETOOLONG;
  }
  if (sep)
    w->cur[len++] = '/';
  strcpy(w->cur + len, name);
  close(w->dir);
  w->dir = fd;
  return 0;
}

/* If `name` in the current directory is a symlink, replaces it by its
 * target in the rest of the path.  Returns 1 when it did, 0 when name is
 * not a symlink, or a negative code. */
static int walk_splice_link(struct walk *w, const char *name) {
  char target[PATH_MAX];
  ssize_t n = readlinkat(w->dir, name, target, sizeof target);
  if (n < 0)
    return errno == EINVAL ? 0 : -errno;
  if ((size_t)n >= sizeof target)
    return -ENAMETOOLONG;
  target[n] = '\0';
  if (++w->links > WALK_MAX_LINKS)
    return -ELOOP;
  if (target[0] == '/')
    return WH_ERR_ESCAPE; /* as RESOLVE_BENEATH: absolute always leaves */
  if (n == 0)
    return -ENOENT;
  const char *tail = w->rest + w->pos;
  size_t tlen = strlen(tail);
  size_t sep = tlen > 0;
  if ((size_t)n + sep + tlen + 1 > sizeof w->rest)
    return -ENAMETOOLONG;
  memmove(w->rest + n + sep, tail, tlen + 1);
  memcpy(w->rest, target, (size_t)n);
  if (sep)
    w->rest[n] = '/';
  w->pos = 0;
  return 1;
}

/* Takes the next component of w->rest into name.  Returns its length,
 * 0 at the end, or -ENAMETOOLONG; *last is set when nothing, not even a
 * trailing '/', follows it (a trailing '/' means "must be a directory"). */
static int walk_next(struct walk *w, char *name, int *last) {
  const char *p = w->rest + w->pos;
  while (*p == '/')
    p++;
  size_t n = strcspn(p, "/");
  if (n > NAME_MAX)
    return -ENAMETOOLONG;
  memcpy(name, p, n);
  name[n] = '\0';
  *last = p[n] == '\0';
  w->pos = (size_t)(p + n - w->rest);
  return (int)n;
}

/* An intermediate component: must be a directory or a symlink. */
static int walk_step(struct walk *w, const char *name) {
  int fd = open_dir_step(w->dir, name);
  if (fd >= 0)
    return walk_down(w, fd, name);
  if (fd != -ENOTDIR && fd != -ELOOP)
    return fd;
  int rc = walk_splice_link(w, name);
  return rc == 0 ? fd : (rc > 0 ? 0 : rc);
}

static int is_symlink_fd(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISLNK(st.st_mode);
}

/* Returned by walk_last for a symlink spliced into the rest of the path;
 * outside the range of -errno and of the WH_ERR_* codes. */
#define WALK_SPLICED (-20000)

/* The last component, opened with the caller's flags (O_NOFOLLOW added,
 * so that a symlink is seen and followed here).  Returns an fd, a
 * negative code, or WALK_SPLICED. */
static int walk_last(struct walk *w, const char *name, int flags,
                     unsigned mode) {
  int fd = openat(w->dir, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
  int err = fd < 0 ? -errno : 0;
  if (flags & O_NOFOLLOW)
    return fd < 0 ? err : fd;
  if (fd >= 0) {
    /* O_PATH|O_NOFOLLOW opens a symlink itself instead of failing. */
    if (!(flags & O_PATH) || !is_symlink_fd(fd))
      return fd;
    close(fd);
    err = -ELOOP;
  }
  if (err != -ELOOP && err != -ENOTDIR)
    return err;
  int rc = walk_splice_link(w, name);
  return rc == 0 ? err : (rc > 0 ? WALK_SPLICED : rc);
}

static int walk_run(struct walk *w, int flags, unsigned mode) {
  char name[NAME_MAX + 1];
  for (;;) {
    int last = 0;
    int n = walk_next(w, name, &last);
    if (n < 0)
      return n;
    if (n == 0) { /* the end: the current directory is the target */
      int fd = openat(w->dir, ".", flags | O_CLOEXEC, mode);
      return fd < 0 ? -errno : fd;
    }
    int rc;
    if (strcmp(name, ".") == 0)
      rc = 0;
    else if (strcmp(name, "..") == 0)
      rc = walk_up(w);
    else if (!last)
      rc = walk_step(w, name);
    else {
      rc = walk_last(w, name, flags, mode);
      if (rc != WALK_SPLICED)
        return rc;
      rc = 0;
    }
    if (rc < 0)
      return rc;
  }
}

int datadir_walk_open(int dirfd, const char *norm, int flags, unsigned mode) {
  struct walk *w = calloc(1, sizeof *w);
  if (!w)
    return -ENOMEM;
  size_t len = strlen(norm);
  int rc = -ENAMETOOLONG;
  if (len < sizeof w->rest) {
    memcpy(w->rest, norm, len + 1);
    w->root = dirfd;
    w->dir = open_dir_step(dirfd, ".");
    rc = w->dir;
    if (w->dir >= 0) {
      rc = walk_run(w, flags, mode);
      close(w->dir);
    }
  }
  free(w);
  return rc;
}

/* ------------------------------------------------------------------ */
/* The resolver                                                        */

static int open_norm(const char *norm, int flags, unsigned mode) {
  if (root_fd < 0)
    return -EBADF;
  /* openat2 refuses a mode without O_CREAT/O_TMPFILE. */
  if (!(flags & O_CREAT) && (flags & O_TMPFILE) != O_TMPFILE)
    mode = 0;
  if (use_openat2) {
    int rc = open_beneath(root_fd, norm, flags, mode);
    if (rc != -ENOSYS)
      return rc;
    use_openat2 = 0; /* an old kernel, or a seccomp filter that hides it */
  }
  return datadir_walk_open(root_fd, norm, flags, mode);
}

int datadir_open(const char *rel, int flags, unsigned mode) {
  char norm[PATH_MAX];
  int rc = datadir_normalize(rel, norm, sizeof norm);
  return rc < 0 ? rc : open_norm(norm, flags, mode);
}

int datadir_parent(const char *rel, char *base, size_t cap) {
  char norm[PATH_MAX];
  int rc = datadir_normalize(rel, norm, sizeof norm);
  if (rc < 0)
    return rc;
  if (!base || !norm[0])
    return !base ? -EINVAL : -EISDIR;
  char *slash = strrchr(norm, '/');
  const char *name = slash ? slash + 1 : norm;
  size_t n = strlen(name);
  if (n >= cap)
    return -ENAMETOOLONG;
  memcpy(base, name, n + 1);
  if (slash)
    *slash = '\0';
  else
    norm[0] = '\0';
  return open_norm(norm, O_RDONLY | O_DIRECTORY, 0);
}
