/* file.tar: a gzip'd pax (ustar where it suffices) archive of the regular
 * files under a directory, written to wirehook_<seconds>[_N].tar.gz in the
 * data root.  The tree is walked with fstatat(AT_SYMLINK_NOFOLLOW) and
 * openat(O_NOFOLLOW) from the directory's fd, so symlinks are skipped,
 * never followed. */
#include "config.h"

#include "file_plugin.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TAR_CHUNK (64 * 1024)
/* Suffixes _1, _2, ... tried before giving up on a free archive name. */
#define TAR_MAX_SUFFIX 10000
/* A libarchive failure; its text is in tar->msg. */
#define TAR_ERR_ARCHIVE (-10200)

struct tar {
  struct archive *a;
  dev_t self_dev; /* the archive being written, which is skipped */
  ino_t self_ino;
  char path[PATH_MAX]; /* entry name being added, relative to dir */
  int walking;         /* an error now is about dir or an entry */
  char *buf;           /* TAR_CHUNK bytes */
  char msg[256];
};

static int archive_fail(struct tar *t) {
  const char *m = archive_error_string(t->a);
  snprintf(t->msg, sizeof t->msg, "%s", m ? m : "archive error");
  return TAR_ERR_ARCHIVE;
}

/* Streams exactly what the header announced, or less when the file
 * shrank meanwhile (libarchive pads the entry with zeros). */
static int add_data(struct tar *t, int fd, off_t size) {
  while (size > 0) {
    size_t want = size < TAR_CHUNK ? (size_t)size : TAR_CHUNK;
    ssize_t n = read(fd, t->buf, want);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    if (n == 0)
      break;
    if (archive_write_data(t->a, t->buf, (size_t)n) < 0)
      return archive_fail(t);
    size -= n;
  }
  return 0;
}

static int add_header(struct tar *t, const struct stat *st) {
  struct archive_entry *e = archive_entry_new();
  if (!e)
    return -ENOMEM;
  archive_entry_set_pathname(e, t->path);
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, st->st_mode & 07777);
  archive_entry_set_size(e, st->st_size);
  archive_entry_set_mtime(e, st->st_mtime, 0);
  int r = archive_write_header(t->a, e);
  archive_entry_free(e);
  return r < ARCHIVE_WARN ? archive_fail(t) : 0;
}

/* Adds one regular file; a file that vanished or was replaced by
 * something else since the directory was read is skipped. */
static int add_file(struct tar *t, int dirfd, const char *name) {
  int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT || errno == ELOOP ? 0 : -errno;
  struct stat st;
  int rc = fstat(fd, &st) < 0 ? -errno : 0;
  if (rc == 0 && S_ISREG(st.st_mode) &&
      !(st.st_dev == t->self_dev && st.st_ino == t->self_ino)) {
    rc = add_header(t, &st);
    if (rc == 0)
      rc = add_data(t, fd, st.st_size);
    if (rc == 0 && archive_write_finish_entry(t->a) < ARCHIVE_WARN)
      rc = archive_fail(t);
  }
  close(fd);
  return rc;
}

static int add_dir(struct tar *t, int fd);

/* Adds the entry `name` of directory dirfd: a regular file, or the files
 * under a subdirectory.  t->path names it on return only on error. */
static int add_entry(struct tar *t, int dirfd, const char *name) {
  size_t old = strlen(t->path);
  if (file_join(t->path, sizeof t->path, t->path, name) < 0)
    return -ENAMETOOLONG;
  struct stat st;
  int rc = 0;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    rc = errno == ENOENT ? 0 : -errno;
  else if (S_ISREG(st.st_mode))
    rc = add_file(t, dirfd, name);
  else if (S_ISDIR(st.st_mode)) {
    int sub =
        openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    rc = sub < 0 ? (errno == ENOENT ? 0 : -errno) : add_dir(t, sub);
    if (sub >= 0)
      close(sub);
  }
  if (rc == 0)
    t->path[old] = '\0';
  return rc;
}

/* Adds everything under fd, in name order so archives are
 * reproducible. */
static int add_dir(struct tar *t, int fd) {
  char **names;
  int rc = file_list_dir(fd, &names);
  for (size_t i = 0; rc == 0 && names[i]; i++)
    rc = add_entry(t, fd, names[i]);
  file_free_names(names);
  return rc;
}

/* Creates wirehook_<now>.tar.gz in the root, or the first free
 * wirehook_<now>_N.tar.gz; O_EXCL, so an existing file is never
 * overwritten.  Returns the fd, name holds the file name. */
static int create_archive(int rootfd, char *name, size_t cap) {
  long long now = (long long)time(NULL);
  for (int i = 0; i <= TAR_MAX_SUFFIX; i++) {
    if (i == 0)
      snprintf(name, cap, "wirehook_%lld.tar.gz", now);
    else
      snprintf(name, cap, "wirehook_%lld_%d.tar.gz", now, i);
    int fd = openat(rootfd, name,
                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0 || errno != EEXIST)
      return fd < 0 ? -errno : fd;
  }
  return -EEXIST;
}

/* Writes the archive of dirfd into afd.  Returns 0 or a code. */
static int write_archive(struct tar *t, int dirfd, int afd) {
  struct stat st;
  if (fstat(afd, &st) < 0)
    return -errno;
  t->self_dev = st.st_dev;
  t->self_ino = st.st_ino;
  t->buf = malloc(TAR_CHUNK);
  t->a = archive_write_new();
  int rc = !t->buf || !t->a ? -ENOMEM : 0;
  if (rc == 0 && (archive_write_add_filter_gzip(t->a) != ARCHIVE_OK ||
                  archive_write_set_format_pax_restricted(t->a) != ARCHIVE_OK ||
                  archive_write_open_fd(t->a, afd) != ARCHIVE_OK))
    rc = archive_fail(t);
  if (rc == 0) {
    t->walking = 1;
    rc = add_dir(t, dirfd);
    t->walking = rc < 0;
  }
  /* close flushes the gzip trailer: its failure is the archive's. */
  if (t->a && archive_write_close(t->a) != ARCHIVE_OK && rc == 0)
    rc = archive_fail(t);
  if (t->a)
    archive_write_free(t->a);
  free(t->buf);
  return rc;
}

/* Reports a failure: a libarchive one names the archive, an OS one the
 * entry (or the archive when none was being added). */
static int tar_fail(wh_call *call, struct tar *t, const char *dir,
                    const char *archive, int rc) {
  if (rc == TAR_ERR_ARCHIVE)
    return file_api->throw_error(call, "%s: %s", archive, t->msg);
  if (!t->walking)
    return file_fail(call, archive, rc);
  if (!t->path[0])
    return file_fail(call, dir, rc);
  char full[PATH_MAX];
  char norm[PATH_MAX];
  if (file_api->path_normalize(dir, norm, sizeof norm) < 0 ||
      file_join(full, sizeof full, norm, t->path) < 0)
    return file_fail(call, t->path, rc);
  return file_fail(call, full, rc);
}

int file_tar(wh_call *call, json_t *const *argv, size_t argc, json_t **result) {
  const char *dir;
  int rc = argc < 1 ? file_api->throw_type(call, "dir is required")
                    : file_arg(call, argv[0], "dir", NULL, &dir);
  if (rc < 0)
    return rc;
  int dirfd = file_api->path_open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dirfd < 0)
    return file_fail(call, dir, dirfd);
  int rootfd = file_api->path_open("", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  char name[64];
  int afd = rootfd < 0 ? rootfd : create_archive(rootfd, name, sizeof name);
  if (afd < 0) {
    close(dirfd);
    if (rootfd >= 0)
      close(rootfd);
    return file_fail(call, rootfd < 0 ? "" : name, afd);
  }
  struct tar *t = calloc(1, sizeof *t);
  rc = t ? write_archive(t, dirfd, afd) : -ENOMEM;
  if (close(afd) < 0 && rc == 0)
    rc = -errno;
  if (rc < 0) {
    unlinkat(rootfd, name, 0); /* no half-written archive left behind */
    rc = t ? tar_fail(call, t, dir, name, rc) : file_fail(call, name, rc);
  } else {
    *result = file_path_value(name);
  }
  free(t);
  close(rootfd);
  close(dirfd);
  return rc < 0 ? rc : WH_OK;
}
