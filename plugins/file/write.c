/* file.write and file.append. */
#include "config.h"

#include "file_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens path for writing with extra open flags; O_NONBLOCK so that a FIFO
 * placed in the data directory cannot hang the script thread, and only
 * regular files are accepted.  Returns an fd or a code. */
static int open_for_write(const char *path, int flags) {
  int fd = file_api->path_open(
      path, O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC | flags, 0644);
  if (fd < 0)
    return fd;
  struct stat st;
  int rc = fstat(fd, &st) < 0 ? -errno : 0;
  if (rc == 0 && !S_ISREG(st.st_mode))
    rc = FILE_ERR_NOTREG;
  if (rc < 0) {
    close(fd);
    return rc;
  }
  return fd;
}

static int put(wh_call *call, json_t *const *argv, size_t argc, int flags) {
  const char *path;
  if (argc < 2)
    return file_api->throw_type(call, "path and content are required");
  int rc = file_arg(call, argv[0], "path", NULL, &path);
  if (rc < 0)
    return rc;
  const char *data = json_string_value(argv[1]);
  size_t len = json_string_length(argv[1]); /* content may hold NULs */
  if (!data)
    return file_api->throw_type(call, "content is required");
  int fd = open_for_write(path, flags);
  if (fd < 0)
    return file_fail(call, path, fd);
  rc = file_write_all(fd, data, len);
  if (close(fd) < 0 && rc == 0)
    rc = -errno; /* NFS and friends report write errors at close */
  return rc < 0 ? file_fail(call, path, rc) : WH_OK;
}

int file_write(wh_call *call, json_t *const *argv, size_t argc,
               json_t **result) {
  (void)result;
  return put(call, argv, argc, O_TRUNC);
}

int file_append(wh_call *call, json_t *const *argv, size_t argc,
                json_t **result) {
  (void)result;
  return put(call, argv, argc, O_APPEND);
}
