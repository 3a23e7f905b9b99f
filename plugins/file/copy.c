/* file.copy and file.move.  Both pick their target the same way
 * (file_target) and work on fds from the host's resolver, so neither the
 * source nor the target can be reached through a symlink that leaves the
 * data directory. */
#include "config.h"

#include "file_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

struct xfer {
  const char *src, *dst; /* as the script gave them */
  char snorm[PATH_MAX];  /* src, normalised */
  char target[PATH_MAX]; /* the final path, normalised */
  int joined;            /* target is dst/<basename of src> */
};

/* The path that errors about the target name: what the script wrote,
 * unless the target was derived from it. */
static const char *target_name(const struct xfer *x) {
  return x->joined ? x->target : x->dst;
}

static int xfer_args(wh_call *call, json_t *const *argv, size_t argc,
                     const char *const names[2], struct xfer *x) {
  if (argc < 2)
    return file_api->throw_type(call, "%s and %s are required", names[0],
                                names[1]);
  int rc = file_arg(call, argv[0], names[0], NULL, &x->src);
  if (rc == 0)
    rc = file_arg(call, argv[1], names[1], NULL, &x->dst);
  if (rc < 0)
    return rc;
  rc = file_api->path_normalize(x->src, x->snorm, sizeof x->snorm);
  return rc < 0 ? file_fail(call, x->src, rc) : 0;
}

static int xfer_target(wh_call *call, struct xfer *x) {
  int rc = file_target(x->snorm, x->dst, x->target, &x->joined);
  return rc < 0 ? file_fail(call, x->dst, rc) : 0;
}

/* ------------------------------------------------------------------ */
/* copy                                                                */

/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
static int open_source(const char *src, struct stat *st) {
  int fd = file_api->path_open(src, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    return fd;
  int rc = fstat(fd, st) < 0 ? -errno : 0;
  if (rc == 0 && !S_ISREG(st->st_mode))
    rc = S_ISDIR(st->st_mode) ? -EISDIR : FILE_ERR_NOTREG;
  if (rc < 0) {
    close(fd);
    return rc;
  }
  return fd;
}

/* Opens the target without truncating it first, so that copying a file
 * onto itself is caught before it is emptied. */
static int open_dest(const char *target, const struct stat *src_st) {
  int fd = file_open_write(target, 0, src_st);
  if (fd >= 0 && ftruncate(fd, 0) < 0) {
    int rc = -errno;
    close(fd);
    return rc;
  }
  return fd;
}

int file_copy(wh_call *call, json_t *const *argv, size_t argc,
              json_t **result) {
  static const char *const names[2] = {"srcPath", "dstPath"};
  struct xfer x;
  int rc = xfer_args(call, argv, argc, names, &x);
  if (rc < 0)
    return rc;
  struct stat st;
  int in = open_source(x.src, &st);
  if (in < 0)
    return file_fail(call, x.src, in);
  rc = xfer_target(call, &x);
  if (rc < 0) {
    close(in);
    return rc;
  }
  int out = open_dest(x.target, &st);
  rc = out < 0 ? out : file_copy_fd(in, out);
  close(in);
  if (out >= 0 && close(out) < 0 && rc == 0)
    rc = -errno;
  if (rc < 0)
    return file_fail(call, target_name(&x), rc);
  *result = file_path_value(x.target);
  return WH_OK;
}

/* ------------------------------------------------------------------ */
/* move                                                                */

/* A regular file moved to another file system: copied into a new hidden
 * sibling of the target, renamed over the target (so an existing one is
 * replaced in one step), then the source is removed. */
static int move_across(int sfd, const char *sbase, int tfd, const char *tbase,
                       const struct stat *st) {
  int in = openat(sfd, sbase, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (in < 0)
    return -errno;
  char tmp[NAME_MAX + 1];
  int out = -1;
  for (int i = 0; i < 100 && out < 0; i++) {
    snprintf(tmp, sizeof tmp, ".wirehook-move.%u", (unsigned)file_random());
    out = openat(tfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                 0600);
    if (out < 0 && errno != EEXIST)
      break;
  }
  int rc = out < 0 ? -errno : file_copy_fd(in, out);
  close(in);
  if (out < 0)
    return rc;
  if (rc == 0 && fchmod(out, st->st_mode & 0777) < 0)
    rc = -errno;
  if (close(out) < 0 && rc == 0)
    rc = -errno;
  if (rc == 0 && renameat(tfd, tmp, tfd, tbase) < 0)
    rc = -errno;
  if (rc < 0) {
    unlinkat(tfd, tmp, 0);
    return rc;
  }
  return unlinkat(sfd, sbase, 0) < 0 ? -errno : 0;
}

static int move_entry(int sfd, const char *sbase, int tfd, const char *tbase,
                      const struct stat *st) {
  if (renameat(sfd, sbase, tfd, tbase) == 0)
    return 0;
  if (errno != EXDEV || !S_ISREG(st->st_mode))
    return -errno;
  return move_across(sfd, sbase, tfd, tbase, st);
}

/* Opens the parent of the target and moves the source entry there. */
static int move_to_target(wh_call *call, struct xfer *x, int sfd,
                          const char *sbase, const struct stat *st) {
  char tbase[NAME_MAX + 1];
  int tfd = file_api->path_parent(x->target, tbase, sizeof tbase);
  if (tfd < 0)
    return file_fail(call, target_name(x), tfd);
  int rc = move_entry(sfd, sbase, tfd, tbase, st);
  close(tfd);
  return rc < 0 ? file_fail(call, target_name(x), rc) : 0;
}

int file_move(wh_call *call, json_t *const *argv, size_t argc,
              json_t **result) {
  static const char *const names[2] = {"oldPath", "newPath"};
  struct xfer x;
  int rc = xfer_args(call, argv, argc, names, &x);
  if (rc < 0)
    return rc;
  char sbase[NAME_MAX + 1];
  int sfd = file_api->path_parent(x.src, sbase, sizeof sbase);
  if (sfd < 0)
    return file_fail(call, x.src, sfd);
  struct stat st; /* the entry itself: a symlink is moved, not followed */
  rc = fstatat(sfd, sbase, &st, AT_SYMLINK_NOFOLLOW) < 0
           ? file_fail(call, x.src, -errno)
           : xfer_target(call, &x);
  if (rc == 0)
    rc = move_to_target(call, &x, sfd, sbase, &st);
  close(sfd);
  if (rc < 0)
    return rc;
  *result = file_path_value(x.target);
  return WH_OK;
}
