/* file.mkdirTemp and file.temp: uniquely named entries, created with
 * O_EXCL / mkdirat so an existing name is never reused, retried with a
 * new random number when taken. */
#include "config.h"

#include "file_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* As Go's os.MkdirTemp, which Kubeshark used. */
#define TEMP_TRIES 10000

/* Where to create: the directory argument, normalised and opened. */
struct tempdir {
  const char *arg; /* as given; "" for the data root */
  char norm[PATH_MAX];
  int fd;
};

static int open_tempdir(wh_call *call, json_t *v, struct tempdir *t) {
  int rc = file_arg(call, v, "dir", "", &t->arg);
  if (rc < 0)
    return rc;
  rc = file_api->path_normalize(t->arg, t->norm, sizeof t->norm);
  if (rc == 0)
    rc = t->fd =
        file_api->path_open(t->arg, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  return rc < 0 ? file_fail(call, t->arg, rc) : 0;
}

/* A name part must stay one path component. */
static int check_part(wh_call *call, const char *param, const char *s) {
  if (strchr(s, '/'))
    return file_api->throw_type(call, "%s \"%s\" contains a path separator",
                                param, s);
  return 0;
}

/* Makes one candidate, prefix<random>suffix, and tries to create it as a
 * directory or an empty file.  Returns 0, -EEXIST to try again, or a
 * code. */
static int try_create(int dirfd, const char *prefix, const char *suffix,
                      int is_dir, char *name) {
  int n = snprintf(name, NAME_MAX + 1, "%s%u%s", prefix,
                   (unsigned)file_random(), suffix);
  if (n < 0 || n > NAME_MAX)
    return -ENAMETOOLONG;
  if (is_dir)
    return mkdirat(dirfd, name, 0700) < 0 ? -errno : 0;
  int fd = openat(dirfd, name,
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return -errno;
  close(fd);
  return 0;
}

/* Creates the entry, then returns its data-relative path. */
static int create_unique(wh_call *call, struct tempdir *t, const char *prefix,
                         const char *suffix, int is_dir, json_t **result) {
  char name[NAME_MAX + 1], path[PATH_MAX];
  int rc = -EEXIST;
  for (int i = 0; i < TEMP_TRIES && rc == -EEXIST; i++)
    rc = try_create(t->fd, prefix, suffix, is_dir, name);
  close(t->fd);
  if (rc < 0) {
    if (file_join(path, sizeof path, t->norm, prefix) < 0)
      return file_fail(call, t->arg, rc);
    return file_fail(call, path, rc);
  }
  rc = file_join(path, sizeof path, t->norm, name);
  if (rc < 0)
    return file_fail(call, t->arg, rc);
  *result = file_path_value(path);
  return WH_OK;
}

int file_mkdir_temp(wh_call *call, json_t *const *argv, size_t argc,
                    json_t **result) {
  const char *name;
  struct tempdir t;
  int rc = argc < 2 ? file_api->throw_type(call, "bad arguments")
                    : file_arg(call, argv[0], "name", "", &name);
  if (rc == 0)
    rc = check_part(call, "name", name);
  if (rc == 0)
    rc = open_tempdir(call, argv[1], &t);
  if (rc < 0)
    return rc;
  /* The last '*' marks where the random digits go, else the end. */
  char prefix[NAME_MAX + 1];
  const char *star = strrchr(name, '*');
  size_t plen = star ? (size_t)(star - name) : strlen(name);
  if (plen > NAME_MAX) {
    close(t.fd);
    return file_fail(call, name, -ENAMETOOLONG);
  }
  memcpy(prefix, name, plen);
  prefix[plen] = '\0';
  return create_unique(call, &t, prefix, star ? star + 1 : "", 1, result);
}

int file_temp(wh_call *call, json_t *const *argv, size_t argc,
              json_t **result) {
  const char *name, *ext;
  struct tempdir t;
  int rc = argc < 3 ? file_api->throw_type(call, "bad arguments")
                    : file_arg(call, argv[0], "name", "", &name);
  if (rc == 0)
    rc = file_arg(call, argv[2], "extension", "", &ext);
  if (rc == 0)
    rc = check_part(call, "name", name);
  if (rc == 0)
    rc = check_part(call, "extension", ext);
  if (rc == 0)
    rc = open_tempdir(call, argv[1], &t);
  if (rc < 0)
    return rc;
  if (ext[0] == '.')
    ext++;
  char suffix[NAME_MAX + 2];
  int n = snprintf(suffix, sizeof suffix, ".%s", ext[0] ? ext : "txt");
  if (n < 0 || (size_t)n >= sizeof suffix) {
    close(t.fd);
    return file_fail(call, ext, -ENAMETOOLONG);
  }
  return create_unique(call, &t, name, suffix, 0, result);
}
