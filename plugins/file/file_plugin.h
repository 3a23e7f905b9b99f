/* Declarations shared by the sources of the `file` plugin.  The plugin
 * reaches the host only through the wh_api table kept in file_api; every
 * path goes through api->path_normalize / path_open / path_parent, and
 * the *at(2) calls that follow work relative to the fds those return. */
#ifndef FILE_PLUGIN_H
#define FILE_PLUGIN_H

#include <wirehook/plugin.h>

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The host's table, set by init (plugin.c); borrowed until fini. */
extern const wh_api *file_api;

/* Codes beside -errno and WH_ERR_*, with their own messages. */
#define FILE_ERR_NOTREG (-10100) /* the file is not a regular file */
#define FILE_ERR_SAME (-10101)   /* copy source and target are one file */

/* --- errors.c --- */
/* Throws the Error for rc about path: the escape message for
 * WH_ERR_ESCAPE, "<path>: <strerror>" for -errno.  Returns
 * WH_ERR_THROWN (rc itself when it already is). */
int file_fail(wh_call *call, const char *path, int rc);
/* The string argument v, or def when it is JSON null.  Throws a TypeError
 * naming `param` when the string holds a NUL byte (no path can).
 * Returns 0 or WH_ERR_THROWN. */
int file_arg(wh_call *call, json_t *v, const char *param, const char *def,
             const char **out);

/* --- paths.c --- */
/* Joins a normalised directory ("" for the root) and a name into out
 * (cap bytes).  Returns 0 or -ENAMETOOLONG. */
int file_join(char *out, size_t cap, const char *dir, const char *name);
/* The last component of a normalised path (the path itself if it has no
 * '/'). */
const char *file_basename(const char *norm);
/* The final path of a move or copy of src_norm to dst: dst itself, or
 * dst/<basename of src> when dst ends with '/' or is an existing
 * directory.  Written normalised into out (PATH_MAX bytes); *joined tells
 * which.  Returns 0 or a code about dst. */
int file_target(const char *src_norm, const char *dst, char *out, int *joined);

/* A returned path as a JS string value (a new reference), or NULL when
 * memory runs out.  Paths may hold any bytes, so no UTF-8 check. */
json_t *file_path_value(const char *norm);

/* --- fdio.c --- */
/* Writes all len bytes.  Returns 0 or -errno. */
int file_write_all(int fd, const void *buf, size_t len);
/* Copies from in (at its offset) to out until EOF.  Returns 0 or
 * -errno. */
int file_copy_fd(int in, int out);
/* Opens a regular file for writing (O_CREAT | flags, 0644, never blocking
 * on a FIFO); with not_same, refuses that very file (FILE_ERR_SAME).
 * Returns an fd or a code. */
struct stat;
int file_open_write(const char *path, int flags, const struct stat *not_same);
/* A random number for temporary names. */
uint32_t file_random(void);

/* --- dirlist.c --- */
/* The names in directory fd, without "." and "..", sorted bytewise:
 * a NULL-terminated array to free with file_free_names.  fd stays open
 * and owned by the caller.  Returns 0 or -errno. */
int file_list_dir(int fd, char ***names);
void file_free_names(char **names);

/* The helpers, one per registered function. */
int file_write(wh_call *call, json_t *const *argv, size_t argc,
               json_t **result);
int file_append(wh_call *call, json_t *const *argv, size_t argc,
                json_t **result);
int file_copy(wh_call *call, json_t *const *argv, size_t argc, json_t **result);
int file_move(wh_call *call, json_t *const *argv, size_t argc, json_t **result);
int file_delete(wh_call *call, json_t *const *argv, size_t argc,
                json_t **result);
int file_mkdir(wh_call *call, json_t *const *argv, size_t argc,
               json_t **result);
int file_mkdir_temp(wh_call *call, json_t *const *argv, size_t argc,
                    json_t **result);
int file_temp(wh_call *call, json_t *const *argv, size_t argc, json_t **result);
int file_tar(wh_call *call, json_t *const *argv, size_t argc, json_t **result);

#endif
