/* The data directory and the confined path resolver that every helper
 * uses: data-relative paths never reach outside it, not through "..",
 * absolute paths or symlinks. */
#ifndef WH_DATADIR_H
#define WH_DATADIR_H

#include <stddef.h>

/* Creates the directory if missing (mkdir -p, 0755), opens it and makes it
 * the data directory.  Returns 0 or -errno. */
int datadir_open_root(const char *abs_path);
void datadir_close_root(void);

/* Absolute path of the data directory ("" before datadir_open_root). */
const char *datadir_path(void);
/* O_DIRECTORY descriptor of the data directory, or -1. */
int datadir_fd(void);

/* The functions behind wh_api.path_normalize, path_open and path_parent;
 * same contracts as documented in sdk/wirehook/plugin.h. */
int datadir_normalize(const char *rel, char *out, size_t cap);
int datadir_open(const char *rel, int flags, unsigned mode);
int datadir_parent(const char *rel, char *base, size_t cap);

#endif
