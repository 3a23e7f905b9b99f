/* file.delete: rm -rf beneath the data directory.  Entries are examined
 * with AT_SYMLINK_NOFOLLOW and directories opened with O_NOFOLLOW, so a
 * symlink is removed itself and never leads the walk elsewhere. */
#include "config.h"

#include "file_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The data-relative path of the entry being removed, for errors. */
struct del {
  char path[PATH_MAX];
  size_t len;
};

/* Appends "/name"; returns the old length to restore.  A path too long
 * to show is shown cut: it only names the entry in an error. */
static size_t push(struct del *d, const char *name) {
  size_t old = d->len;
  int n = file_join(d->path, sizeof d->path, d->path, name);
  if (n == 0)
    d->len = strlen(d->path);
  return old;
}

static int remove_at(struct del *d, int dirfd, const char *name);

static int empty_dir(struct del *d, int fd) {
  char **names;
  int rc = file_list_dir(fd, &names);
  for (size_t i = 0; rc == 0 && names[i]; i++) {
    size_t old = push(d, names[i]);
    rc = remove_at(d, fd, names[i]);
    if (rc == 0)
      d->path[d->len = old] = '\0'; /* on error, keep the entry's path */
  }
  file_free_names(names);
  return rc;
}

static int remove_at(struct del *d, int dirfd, const char *name) {
  struct stat st;
  if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : -errno;
  if (!S_ISDIR(st.st_mode))
    return unlinkat(dirfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
  int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno == ENOENT ? 0 : -errno;
  int rc = empty_dir(d, fd);
  close(fd);
  if (rc == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    rc = -errno;
  return rc;
}

int file_delete(wh_call *call, json_t *const *argv, size_t argc,
                json_t **result) {
  (void)result;
  const char *path;
  int rc = argc < 1 ? file_api->throw_type(call, "path is required")
                    : file_arg(call, argv[0], "path", NULL, &path);
  if (rc < 0)
    return rc;
  struct del d;
  rc = file_api->path_normalize(path, d.path, sizeof d.path);
  if (rc < 0)
    return file_fail(call, path, rc);
  if (!d.path[0])
    return file_api->throw_error(
        call, "path \"%s\" is the data directory itself; refusing to delete it",
        path);
  size_t top = d.len = strlen(d.path);
  char base[NAME_MAX + 1];
  int pfd = file_api->path_parent(path, base, sizeof base);
  if (pfd == -ENOENT || pfd == -ENOTDIR)
    return WH_OK; /* a missing parent: the path is missing, which is fine */
  if (pfd < 0)
    return file_fail(call, path, pfd);
  rc = remove_at(&d, pfd, base);
  close(pfd);
  if (rc < 0) /* name the entry that failed, as given if it is the top */
    return file_fail(call, d.len == top ? path : d.path, rc);
  return WH_OK;
}
