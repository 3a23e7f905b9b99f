/* file.write and file.append. */
#include "config.h"

#include "file_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
  int fd = file_open_write(path, flags, NULL);
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
