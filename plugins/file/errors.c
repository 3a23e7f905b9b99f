/* How the file helpers fail: the messages of runtime spec §6 and §8.2. */
#include "config.h"

#include "file_plugin.h"

#include <errno.h>
#include <string.h>

int file_fail(wh_call *call, const char *path, int rc) {
  if (rc == WH_ERR_THROWN)
    return rc;
  if (rc == WH_ERR_ESCAPE)
    return file_api->throw_error(call, "path \"%s\" escapes the data directory",
                                 path);
  if (rc == FILE_ERR_NOTREG)
    return file_api->throw_error(call, "%s: not a regular file", path);
  if (rc == FILE_ERR_SAME)
    return file_api->throw_error(
        call, "%s: source and target are the same file", path);
  return file_api->throw_error(call, "%s: %s", path, strerror(-rc));
}

int file_arg(wh_call *call, json_t *v, const char *param, const char *def,
             const char **out) {
  if (!v || json_is_null(v)) {
    if (!def) /* the host checks required ones; this is a safety net */
      return file_api->throw_type(call, "%s is required", param);
    *out = def;
    return 0;
  }
  const char *s = json_string_value(v);
  if (!s)
    return file_api->throw_type(call, "%s must be a string", param);
  if (strlen(s) != json_string_length(v))
    return file_api->throw_type(call, "%s contains a NUL byte", param);
  *out = s;
  return 0;
}
