/* Path arithmetic on normalised data-relative paths, and how move/copy
 * pick their target. */
#include "config.h"

#include "file_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

int file_join(char *out, size_t cap, const char *dir, const char *name) {
  size_t dl = strlen(dir), nl = strlen(name);
  size_t sep = dl > 0 && nl > 0;
  if (dl + sep + nl + 1 > cap)
    return -ENAMETOOLONG;
  memmove(out, dir, dl);
  if (sep)
    out[dl] = '/';
  memcpy(out + dl + sep, name, nl + 1);
  return 0;
}

const char *file_basename(const char *norm) {
  const char *slash = strrchr(norm, '/');
  return slash ? slash + 1 : norm;
}

json_t *file_path_value(const char *norm) {
  return json_stringn_nocheck(norm, strlen(norm));
}

/* Whether dst names a directory, following symlinks beneath the data
 * directory.  Returns 1, 0, or WH_ERR_ESCAPE. */
static int is_dir(const char *dst) {
  int fd = file_api->path_open(dst, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd >= 0) {
    close(fd);
    return 1;
  }
  return fd == WH_ERR_ESCAPE ? fd : 0;
}

int file_target(const char *src_norm, const char *dst, char *out, int *joined) {
  char dnorm[PATH_MAX];
  int rc = file_api->path_normalize(dst, dnorm, sizeof dnorm);
  if (rc < 0)
    return rc;
  /* Checked even with a trailing '/', so that a dst whose resolution
   * leaves the data directory is reported as given. */
  int into = is_dir(dst);
  if (into < 0)
    return into;
  size_t len = strlen(dst);
  into = into || (len > 0 && dst[len - 1] == '/');
  *joined = into;
  if (!into)
    return file_join(out, PATH_MAX, dnorm, "");
  return file_join(out, PATH_MAX, dnorm, file_basename(src_norm));
}
