/* Internals of datadir.c, exposed so that its unit test can exercise the
 * fallback resolver on a kernel that has openat2(2). */
#ifndef WH_DATADIR_INTERNAL_H
#define WH_DATADIR_INTERNAL_H

/* Opens `norm` (an already normalised data-relative path, "" for the root
 * itself) beneath the directory `root_fd` without openat2: one component
 * at a time with O_NOFOLLOW, following symlinks itself and refusing any
 * that leave root_fd (absolute targets included).  Returns an fd or a
 * negative code as datadir_open. */
int datadir_walk_open(int root_fd, const char *norm, int flags, unsigned mode);

/* Non-zero makes datadir_open use openat2 (the default; it turns itself
 * off when the kernel answers ENOSYS), zero forces the walk. */
void datadir_use_openat2(int on);

#endif
