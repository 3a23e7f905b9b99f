/* Byte moving between descriptors, and randomness for temporary names. */
#include "config.h"

#include "file_plugin.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define COPY_CHUNK (64 * 1024)

int file_write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -errno;
    }
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int file_copy_fd(int in, int out) {
  char *buf = malloc(COPY_CHUNK); /* not on the stack: the script thread's
                                     stack size is the host's choice */
  if (!buf)
    return -ENOMEM;
  int rc = 0;
  for (;;) {
    ssize_t n = read(in, buf, COPY_CHUNK);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      rc = n < 0 ? -errno : 0;
      break;
    }
    rc = file_write_all(out, buf, (size_t)n);
    if (rc < 0)
      break;
  }
  free(buf);
  return rc;
}

uint32_t file_random(void) {
  uint32_t v;
  if (getrandom(&v, sizeof v, GRND_NONBLOCK) == (ssize_t)sizeof v)
    return v;
  /* No entropy yet (early boot): names only need to differ, and the
   * callers retry on EEXIST. */
  static uint32_t state;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  state = state * 1664525u + 1013904223u + (uint32_t)ts.tv_nsec +
          (uint32_t)getpid();
  return state;
}

/* Opens path for writing with extra open flags; O_NONBLOCK so that a FIFO
 * placed in the data directory cannot hang the script thread, and only
 * regular files are accepted.  With `not_same`, a target that is that
 * file (copying onto itself) is refused before anything is truncated.
 * Returns an fd or a code. */
int file_open_write(const char *path, int flags, const struct stat *not_same) {
  int fd = file_api->path_open(
      path, O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC | flags, 0644);
  if (fd < 0)
    return fd;
  struct stat st;
  int rc = fstat(fd, &st) < 0 ? -errno : 0;
  if (rc == 0 && !S_ISREG(st.st_mode))
    rc = FILE_ERR_NOTREG;
  if (rc == 0 && not_same && st.st_dev == not_same->st_dev &&
      st.st_ino == not_same->st_ino)
    rc = FILE_ERR_SAME;
  if (rc < 0) {
    close(fd);
    return rc;
  }
  return fd;
}
