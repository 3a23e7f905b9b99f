/* file.mkdir: mkdir -p beneath the data directory.  Each prefix of the
 * path is resolved by the host, so an existing component may be a
 * symlink to a directory inside the data directory but not outside it. */
#include "config.h"

#include "file_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_dir(const char *prefix) {
  int fd = file_api->path_open(prefix, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd >= 0)
    close(fd);
  return fd < 0 ? fd : 0;
}

/* Makes sure the directory `prefix` exists, creating it (0755) when
 * missing.  Returns 0 or a code. */
static int ensure_dir(const char *prefix) {
  int rc = is_dir(prefix);
  if (rc != -ENOENT)
    return rc;
  char base[NAME_MAX + 1];
  int pfd = file_api->path_parent(prefix, base, sizeof base);
  if (pfd < 0)
    return pfd;
  rc = mkdirat(pfd, base, 0755) < 0 ? -errno : 0;
  close(pfd);
  if (rc == -EEXIST) /* raced with another creator, or a dangling link */
    rc = is_dir(prefix) == 0 ? 0 : -EEXIST;
  return rc;
}

int file_mkdir(wh_call *call, json_t *const *argv, size_t argc,
               json_t **result) {
  (void)result;
  const char *path;
  int rc = argc < 1 ? file_api->throw_type(call, "path is required")
                    : file_arg(call, argv[0], "path", NULL, &path);
  if (rc < 0)
    return rc;
  char norm[PATH_MAX];
  rc = file_api->path_normalize(path, norm, sizeof norm);
  /* Each prefix in turn: cut the path at every '/', then restore it. */
  for (char *p = norm; rc == 0; p++) {
    if (*p != '/' && *p != '\0')
      continue;
    char saved = *p;
    *p = '\0';
    rc = ensure_dir(norm);
    *p = saved;
    if (saved == '\0')
      break;
  }
  return rc < 0 ? file_fail(call, path, rc) : WH_OK;
}
